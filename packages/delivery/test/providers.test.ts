// Each provider through its real client library (@sendgrid/mail, fetch for MSG91) against the
// stand-in: every kind of reply must map to the right engine error.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";
import { freePort, ProviderStandIn } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleEmailProvider, createConsoleSmsProvider } from "../src/providers/console.ts";
import { createMsg91Provider } from "../src/providers/msg91.ts";
import { createSendGridProvider } from "../src/providers/sendgrid.ts";
import type { EmailMessage, SmsMessage } from "../src/providers/types.ts";

const standIn = new ProviderStandIn({ sendgridApiKey: "SG.good", msg91AuthKey: "good-key" });
beforeAll(() => standIn.start().then(() => undefined));
afterAll(() => standIn.stop());

let n = 0;
const email = (): EmailMessage => ({
  jobId: `sg-${++n}`,
  to: "ann@example.com",
  from: "Notify <no-reply@example.com>",
  subject: "Hi",
  html: "<p>Hi</p>",
  text: "Hi",
  category: "welcome",
});
const sms = (): SmsMessage => ({ jobId: `m-${++n}`, to: "+919876543210", text: `code ${++n}`, category: "otp" });
const sendgrid = (apiKey = "SG.good", timeoutMs = 2_000) =>
  createSendGridProvider({ apiKey, baseUrl: standIn.url, timeoutMs });
const msg91 = (authKey = "good-key", timeoutMs = 2_000) =>
  createMsg91Provider({ authKey, senderId: "NOTIFY", route: "4", baseUrl: standIn.url, timeoutMs });

describe("SendGrid provider", () => {
  it("202: sent, with the job id in custom_args", async () => {
    const message = email();
    const result = await sendgrid().send(message);
    expect(result.providerId).toMatch(/^sg-/);
    expect(standIn.deliveriesOf(message.jobId)).toBe(1);
    const body = standIn.deliveries.at(-1)?.body as { custom_args?: Record<string, string>; categories?: string[] };
    expect(body.custom_args).toEqual({ job_id: message.jobId });
    expect(body.categories).toEqual(["welcome"]);
  });

  it("400: permanent, carrying the provider's message", async () => {
    standIn.script("sendgrid", {
      kind: "status",
      status: 400,
      message: "The from address does not match a verified Sender Identity",
    });
    const error = await sendgrid()
      .send(email())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain("does not match a verified Sender Identity");
  });

  it("413: permanent", async () => {
    standIn.script("sendgrid", { kind: "status", status: 413, message: "payload too large" });
    await expect(sendgrid().send(email())).rejects.toBeInstanceOf(PermanentError);
  });

  it("401 from a wrong key: halts the queue", async () => {
    const error = await sendgrid("SG.wrong")
      .send(email())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaltQueueError);
    expect((error as Error).message).toMatch(/rejected the credentials \(401\)/);
  });

  it("429: retryable after the Retry-After the provider asked for", async () => {
    standIn.script("sendgrid", { kind: "status", status: 429, retryAfterSeconds: 7 });
    const error = await sendgrid()
      .send(email())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(7_000);
  });

  it("500: retryable", async () => {
    standIn.script("sendgrid", { kind: "status", status: 500 });
    await expect(sendgrid().send(email())).rejects.toBeInstanceOf(RetryableError);
  });

  it("a hang: retryable once the timeout passes", async () => {
    standIn.script("sendgrid", { kind: "hang" });
    const error = await sendgrid("SG.good", 300)
      .send(email())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
  });

  it("nothing listening: retryable", async () => {
    const provider = createSendGridProvider({
      apiKey: "SG.good",
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 1_000,
    });
    await expect(provider.send(email())).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("MSG91 provider", () => {
  it("success: sent once", async () => {
    const message = sms();
    await msg91().send(message);
    expect(standIn.deliveriesOf(`919876543210:${message.text}`)).toBe(1);
  });

  it("401: halts the queue", async () => {
    await expect(msg91("wrong").send(sms())).rejects.toBeInstanceOf(HaltQueueError);
  });

  it("200 with an authentication error in the body: halts the queue", async () => {
    standIn.script("msg91", { kind: "status", status: 200, message: "Authentication failure" });
    await expect(msg91().send(sms())).rejects.toBeInstanceOf(HaltQueueError);
  });

  it("400: permanent with the provider's message", async () => {
    standIn.script("msg91", { kind: "status", status: 400, message: "Invalid mobile number" });
    await expect(msg91().send(sms())).rejects.toThrow(/Invalid mobile number/);
  });

  it("429 and 500: retryable", async () => {
    standIn.script("msg91", { kind: "status", status: 429, retryAfterSeconds: 2 }, { kind: "status", status: 503 });
    const limited = await msg91()
      .send(sms())
      .catch((e: unknown) => e);
    expect((limited as RetryableError).retryAfterMs).toBe(2_000);
    await expect(msg91().send(sms())).rejects.toBeInstanceOf(RetryableError);
  });

  it("a hang: retryable once the timeout passes", async () => {
    standIn.script("msg91", { kind: "hang" });
    await expect(msg91("good-key", 300).send(sms())).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("console provider (no provider key)", () => {
  it("prints the message and writes it to the outbox", async () => {
    const outboxDir = mkdtempSync(join(tmpdir(), "notify-outbox-"));
    try {
      let printed = "";
      const write = (text: string) => {
        printed += text;
      };
      const message = email();
      await createConsoleEmailProvider({ outboxDir, write }).send(message);
      await createConsoleSmsProvider({ outboxDir, write }).send(sms());
      expect(printed).toContain("Subject: Hi");
      expect(printed).toContain("=== sms");
      expect(readFileSync(join(outboxDir, "email", `${message.jobId}.html`), "utf8")).toBe("<p>Hi</p>");
      expect(readdirSync(join(outboxDir, "sms"))).toHaveLength(1);
    } finally {
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });
});
