import type { EmailTemplate, SmsTemplate } from "@notify/queue/notifications";
import {
  EMAIL_TEMPLATES,
  emailTemplateDataSchemas,
  SMS_TEMPLATES,
  smsTemplateDataSchemas,
  verifyTrackingToken,
} from "@notify/queue/notifications";
import { beforeAll, describe, expect, it } from "vitest";
import { EmailRenderer } from "../src/templates/email-renderer.ts";
import { emailTemplateSources } from "../src/templates/email-templates.ts";
import { normalizeMobile } from "../src/templates/phone.ts";
import { renderSms, smsTemplates } from "../src/templates/sms-templates.ts";

const XSS = `<script>alert("x")</script>`;
const SECRET = "s".repeat(40);

// Every field filled, every string carrying a script tag, so each placeholder is exercised.
const emailSamples: Record<EmailTemplate, Record<string, unknown>> = {
  welcome: { user_name: XSS, referral_code: XSS },
  order_confirmation: {
    order_number: XSS,
    total_amount: 1499.5,
    currency: "INR",
    items: [{ name: XSS, quantity: 2, price: "749.75" }],
  },
  cashback_confirmed: { amount: 50, new_balance: "1250.00" },
  withdrawal_requested: { amount: 500, method: XSS },
  withdrawal_processed: { amount: 500, transaction_id: XSS, status: XSS },
  withdrawal_rejected: { amount: 500, reason: XSS, refunded_amount: 500 },
};

describe("email templates", () => {
  let plain: EmailRenderer;
  let tracked: EmailRenderer;
  beforeAll(async () => {
    plain = await EmailRenderer.create({ appName: "Notify", appUrl: "https://app.example.com" });
    tracked = await EmailRenderer.create({
      appName: "Notify",
      appUrl: "https://app.example.com",
      tracking: { baseUrl: "https://t.example.com", secret: SECRET },
    });
  });

  // What seed 004's Python code passes, None fields and all: a user without a full name, an admin
  // rejecting without notes, the redis-cli sample job with no data at all.
  const seed004: [EmailTemplate, Record<string, unknown>, RegExp][] = [
    ["welcome", {}, /^Welcome to Notify!$/],
    ["welcome", { user_name: null, referral_code: null }, /^Welcome to Notify!$/],
    ["withdrawal_requested", { amount: 500, method: null }, /withdrawal request/],
    ["cashback_confirmed", { amount: 25, new_balance: null }, /cashback added/],
    ["withdrawal_processed", { amount: 500, transaction_id: null, status: "approved" }, /was processed/],
    ["withdrawal_rejected", { amount: 500, reason: null, refunded_amount: 500 }, /was rejected/],
    ["order_confirmation", { order_number: "ORD-1", total_amount: 1499 }, /ORD-1 confirmed/],
  ];
  it.each(seed004)("%s renders what seed 004 sends (%j), leaving out what is not given", (type, data, subject) => {
    expect(emailTemplateDataSchemas[type].safeParse(data).success).toBe(true);
    const mail = plain.render({ type, data, jobId: "seed-4", to: "test@example.com" });
    expect(mail.subject).toMatch(subject);
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/\bnull\b|undefined|Reason: *\n|via \.|Transaction id: *\n/);
    }
  });

  it("has a template for every email type the queue accepts", () => {
    expect(Object.keys(emailTemplateSources).sort()).toEqual([...EMAIL_TEMPLATES].sort());
  });

  it.each(EMAIL_TEMPLATES)("%s renders subject, HTML and text with user data escaped in the HTML", (type) => {
    expect(emailTemplateDataSchemas[type].safeParse(emailSamples[type]).success).toBe(true);
    const mail = plain.render({ type, data: emailSamples[type], jobId: "job-1", to: "ann@example.com" });
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).toMatch(/^<!doctype html>/i);
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("{{");
    expect(mail.text).not.toContain("{{");
    expect(mail.text.length).toBeGreaterThan(20);
    if (JSON.stringify(emailSamples[type]).includes("script")) expect(mail.html).toContain("&lt;script&gt;");
    expect(mail.html).toContain("https://app.example.com/");
  });

  it("formats amounts as money", () => {
    const mail = plain.render({
      type: "cashback_confirmed",
      data: { amount: 1234.5, new_balance: "99" },
      jobId: "j",
      to: "a@b.co",
    });
    expect(mail.text).toContain("₹1,234.50");
    expect(mail.subject).toContain("₹1,234.50");
  });

  it("keeps a header-injection attempt out of the subject", () => {
    const mail = plain.render({
      type: "welcome",
      data: { user_name: "Ann\r\nBcc: x@evil.test" },
      jobId: "j",
      to: "a@b.co",
    });
    expect(mail.subject).toBe("Welcome to Notify, Ann Bcc: x@evil.test!");
  });

  it("wraps links in signed click redirects and adds a signed open pixel when tracking is on", () => {
    const mail = tracked.render({
      type: "welcome",
      data: { user_name: "Ann" },
      jobId: "job-7",
      to: "ann@example.com",
      batchId: "b1",
    });
    const pixel = /src="https:\/\/t\.example\.com\/t\/o\/([^"]+)"/.exec(mail.html)?.[1];
    expect(verifyTrackingToken(pixel ?? "", SECRET)).toMatchObject({
      k: "o",
      j: "job-7",
      r: "ann@example.com",
      b: "b1",
    });
    const click = /href="https:\/\/t\.example\.com\/t\/c\/([^"]+)"/.exec(mail.html)?.[1];
    expect(verifyTrackingToken(click ?? "", SECRET)).toMatchObject({
      k: "c",
      j: "job-7",
      u: "https://app.example.com/",
    });
    expect(mail.text).toMatch(/https:\/\/t\.example\.com\/t\/c\//);
    expect(mail.html).not.toContain('href="https://app.example.com/');
  });

  it("adds no pixel and plain links when tracking is off", () => {
    const mail = plain.render({ type: "welcome", data: { user_name: "Ann" }, jobId: "j", to: "a@b.co" });
    expect(mail.html).not.toContain("/t/o/");
    expect(mail.html).not.toContain("open-pixel");
  });
});

const smsSamples: Record<SmsTemplate, Record<string, unknown>> = {
  otp: { otp: "123456" },
  order_confirmation: { order_number: "ORD-1", total_amount: 1499 },
  cashback_credited: { amount: 50 },
  withdrawal_processed: { amount: "500.00" },
  withdrawal_rejected: { amount: 500, reason: "Bank\ndetails invalid" },
};

describe("sms templates", () => {
  it("has a template for every SMS type the queue accepts", () => {
    expect(Object.keys(smsTemplates).sort()).toEqual([...SMS_TEMPLATES].sort());
  });

  it.each(SMS_TEMPLATES)("%s renders one line of GSM-7 text", (type) => {
    expect(smsTemplateDataSchemas[type].safeParse(smsSamples[type]).success).toBe(true);
    const text = renderSms(type, smsSamples[type] as never, "Notify");
    expect(text).not.toMatch(/[\r\n]/);
    expect(text).toContain("Notify");
  });

  it("puts the OTP first and the amount in rupees", () => {
    expect(renderSms("otp", { otp: "4321" }, "Notify")).toMatch(/^4321 is your Notify verification code/);
    expect(renderSms("cashback_credited", { amount: 1234.5 }, "Notify")).toContain("Rs.1,234.50");
  });
});

describe("phone numbers", () => {
  it("accepts real mobile numbers in E.164 and rejects the rest", () => {
    expect(normalizeMobile("+919876543210")).toBe("+919876543210");
    expect(normalizeMobile("+447911123456")).toBe("+447911123456");
    expect(normalizeMobile("+912224567890")).toBeNull(); // a Mumbai landline cannot take SMS
    expect(normalizeMobile("+911234")).toBeNull();
    expect(normalizeMobile("+10000000000")).toBeNull();
    expect(normalizeMobile("not a number")).toBeNull();
  });
});
