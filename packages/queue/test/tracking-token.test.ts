import { describe, expect, it } from "vitest";
import {
  DEFAULT_TRACKING_TOKEN_TTL_MS,
  signTrackingToken,
  verifyTrackingToken,
} from "../src/notifications/tracking-token.ts";

const SECRET = "k".repeat(32);

describe("tracking tokens", () => {
  it("round-trips an open and a click payload", () => {
    const t = Date.now();
    const e = t + DEFAULT_TRACKING_TOKEN_TTL_MS;
    const open = { k: "o", j: "job-1", r: "a@b.co", t } as const;
    expect(verifyTrackingToken(signTrackingToken(open, SECRET), SECRET)).toEqual({ ...open, e });
    const click = { k: "c", j: "job-1", r: "a@b.co", b: "b1", u: "https://app.example.com/x?y=1", t } as const;
    expect(verifyTrackingToken(signTrackingToken(click, SECRET), SECRET)).toEqual({ ...click, e });
  });

  it("rejects a token signed with another secret, a changed payload or garbage", () => {
    const t = Date.now();
    const token = signTrackingToken({ k: "c", j: "j", r: "a@b.co", u: "https://app.example.com/", t }, SECRET);
    expect(verifyTrackingToken(token, "x".repeat(32))).toBeNull();
    const [, sealed] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ k: "c", j: "j", r: "a@b.co", u: "https://evil.test/", t })).toString(
      "base64url",
    );
    expect(verifyTrackingToken(`${forged}.${sealed}`, SECRET)).toBeNull();
    expect(verifyTrackingToken(`v2.${forged}`, SECRET)).toBeNull();
    expect(verifyTrackingToken(token.slice(0, -2), SECRET)).toBeNull();
    expect(verifyTrackingToken("", SECRET)).toBeNull();
    expect(verifyTrackingToken("a.b.c", SECRET)).toBeNull();
  });

  it("refuses click targets that are not http(s), even when signed", () => {
    const token = signTrackingToken({ k: "c", j: "j", r: "a@b.co", u: "javascript:alert(1)", t: Date.now() }, SECRET);
    expect(verifyTrackingToken(token, SECRET)).toBeNull();
  });
});
