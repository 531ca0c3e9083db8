import { describe, expect, it } from "vitest";
import { signTrackingToken, verifyTrackingToken } from "../src/notifications/tracking-token.ts";

const SECRET = "k".repeat(32);

describe("tracking tokens", () => {
  it("round-trips an open and a click payload", () => {
    const open = { k: "o", j: "job-1", r: "a@b.co", t: 1 } as const;
    expect(verifyTrackingToken(signTrackingToken(open, SECRET), SECRET)).toEqual(open);
    const click = { k: "c", j: "job-1", r: "a@b.co", b: "b1", u: "https://app.example.com/x?y=1", t: 2 } as const;
    expect(verifyTrackingToken(signTrackingToken(click, SECRET), SECRET)).toEqual(click);
  });

  it("rejects a token signed with another secret, a changed payload or garbage", () => {
    const token = signTrackingToken({ k: "c", j: "j", r: "a@b.co", u: "https://app.example.com/", t: 1 }, SECRET);
    expect(verifyTrackingToken(token, "x".repeat(32))).toBeNull();
    const [, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ k: "c", j: "j", r: "a@b.co", u: "https://evil.test/", t: 1 })).toString(
      "base64url",
    );
    expect(verifyTrackingToken(`${forged}.${signature}`, SECRET)).toBeNull();
    expect(verifyTrackingToken(token.slice(0, -2), SECRET)).toBeNull();
    expect(verifyTrackingToken("", SECRET)).toBeNull();
    expect(verifyTrackingToken("a.b.c", SECRET)).toBeNull();
  });

  it("refuses click targets that are not http(s), even when signed", () => {
    const token = signTrackingToken({ k: "c", j: "j", r: "a@b.co", u: "javascript:alert(1)", t: 1 }, SECRET);
    expect(verifyTrackingToken(token, SECRET)).toBeNull();
  });
});
