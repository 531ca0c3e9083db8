// #10 finding 11, the click redirect: even a genuinely signed token (a leaked or weak secret) only
// ever redirects to a parsed and re-serialized absolute http(s) URL; anything a browser could read
// as another host, or that breaks the header, is a 400 and never a 500.
import { signTrackingToken, type TrackingPayload } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TRACKING_SECRET } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function clickTo(u: string): Promise<Response> {
  const payload: TrackingPayload = { k: "c", j: "job-r", r: "ann@example.com", u, t: Date.now() };
  return fetch(`${h.app.url}/t/c/${signTrackingToken(payload, TRACKING_SECRET)}`, { redirect: "manual" });
}

describe("the click redirect", () => {
  it.each([
    ["a scheme without slashes", "http:evil.com"],
    ["backslashes", "https:\\\\evil.com"],
    ["a backslash after the scheme", "https:/\\evil.com"],
    ["a protocol-relative URL", "//evil.com"],
    ["CRLF", "https://shop.example.com/\r\nSet-Cookie: a=b"],
    ["a tab in the host", "https://shop.\texample.com/"],
    ["NUL", "https://shop.example.com/\u0000"],
    ["a right-to-left override", "https://shop.example.com/\u202Egnp.exe"],
    ["U+2028", "https://shop.example.com/\u2028x"],
    ["credentials before the host", "https://shop.example.com@evil.com/"],
    ["javascript:", "javascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["a garbage host", "https://exa mple.com/"],
    ["an invalid IDN host", "https://xn--a.xn--/"],
    ["an unterminated IPv6 host", "http://[::1/"],
    ["a bad percent-encoded host", "http://%zz/"],
  ])("answers 400 for %s", async (_name, u) => {
    const response = await clickTo(u);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it.each([
    ["a plain URL", "https://shop.example.com/sale?x=1", "https://shop.example.com/sale?x=1"],
    ["an IDN host, punycoded", "https://bücher.example/", "https://xn--bcher-kva.example/"],
    ["spaces in the path, percent-encoded", "https://shop.example.com/a%20b", "https://shop.example.com/a%20b"],
    ["an upper-case scheme and host", "HTTPS://Shop.Example.com/X", "https://shop.example.com/X"],
  ])("redirects %s to its re-serialized form", async (_name, u, location) => {
    const response = await clickTo(u);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(location);
  });
});
