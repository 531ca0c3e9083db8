// One validator for a template job: the API, previews and the delivery handlers all call these.
import {
  describeIssues,
  emailJobSchema,
  OTP_TTL_MS,
  smsIsUrgent,
  smsPushDefaults,
  templateDataIssues,
  templateJobIssues,
} from "@notify/queue/notifications";
import { describe, expect, it } from "vitest";

describe("template job validation", () => {
  it("reports data that does not fit its template, with paths", () => {
    expect(templateDataIssues("sms", "otp", { otp: "12" })).toEqual([
      { path: ["otp"], message: "otp must be 4 to 8 digits" },
    ]);
    expect(templateDataIssues("email", "welcome", { user_name: "Ann" })).toEqual([]);
    expect(templateDataIssues("email", "nope", {})).toBeUndefined();
    expect(templateDataIssues("email", "toString", {})).toBeUndefined();
  });

  it("checks a whole job by the queue it goes to, and only template queues", () => {
    const issues = templateJobIssues("email", { type: "cashback_confirmed", to: "not-an-address", data: {} });
    expect(issues?.map((issue) => issue.path.join("."))).toEqual(["to", "data.amount"]);
    expect(templateJobIssues("email", { type: "welcome", to: "a@example.com", data: {} })).toEqual([]);
    expect(templateJobIssues("sms", { type: "otp", to: "+919876543210", data: { otp: "1234" } })).toEqual([]);
    expect(templateJobIssues("reports", { type: "anything" })).toBeUndefined();
  });

  it("formats issues one way for errors and dead letters", () => {
    const parsed = emailJobSchema.safeParse({ type: "withdrawal_rejected", to: "a@example.com", data: {} });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error?.issues ?? [])).toMatch(/^data\.amount: /);
    expect(describeIssues([{ path: [], message: "bad" }])).toBe("(root): bad");
  });

  it("gives OTPs a default expiry unless the producer sets one: a late OTP is worse than none", () => {
    expect(smsPushDefaults("otp")).toEqual({ urgent: true, ttlMs: OTP_TTL_MS });
    expect(smsPushDefaults("otp", { ttlMs: 60_000 })).toEqual({ urgent: true });
    expect(smsPushDefaults("otp", { expiresAt: Date.now() + 1_000, urgent: false })).toEqual({ urgent: false });
    expect(smsPushDefaults("cashback_credited")).toEqual({ urgent: false });
  });

  it("makes OTPs urgent unless the producer says otherwise", () => {
    expect(smsIsUrgent("otp")).toBe(true);
    expect(smsIsUrgent("otp", false)).toBe(false);
    expect(smsIsUrgent("order_confirmation")).toBe(false);
    expect(smsIsUrgent("order_confirmation", true)).toBe(true);
  });
});
