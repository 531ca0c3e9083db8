// Resend (seed 001's provider) through the official `resend` client against the local stand-in:
// what each reply means for the job, and how the environment chooses the provider.
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";
import { freePort, ProviderStandIn } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailProviderChoice, loadEmailSettings } from "../src/config.ts";
import { createResendProvider } from "../src/providers/resend.ts";
import type { EmailMessage } from "../src/providers/types.ts";
import { emailProviderFor } from "../src/wiring.ts";

const standIn = new ProviderStandIn({ resendApiKey: "re_good" });
beforeAll(() => standIn.start().then(() => undefined));
afterAll(() => standIn.stop());

let n = 0;
const email = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  jobId: `re-job-${++n}`,
  to: "ann@example.com",
  from: "Notify <no-reply@example.com>",
  subject: "Hi",
  html: "<p>Hi</p>",
  text: "Hi",
  category: "welcome",
  ...overrides,
});
const resend = (apiKey = "re_good", timeoutMs = 2_000) =>
  createResendProvider({ apiKey, baseUrl: standIn.url, timeoutMs });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe("Resend provider", () => {
  it("200: sent once, with Resend's id, the job id as tag and idempotency key", async () => {
    const message = email({ batchId: "b_1" });
    const result = await resend().send(message);
    expect(result.providerId).toMatch(/^re-/);
    expect(standIn.deliveriesOf(message.jobId)).toBe(1);
    const body = standIn.deliveries.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({ to: "ann@example.com", subject: "Hi", html: "<p>Hi</p>", text: "Hi" });
    expect(body.tags).toEqual([
      { name: "job_id", value: message.jobId },
      { name: "category", value: "welcome" },
      { name: "batch_id", value: "b_1" },
    ]);
  });

  it("429: retryable after the Retry-After Resend asked for", async () => {
    standIn.script("resend", { kind: "status", status: 429, retryAfterSeconds: 3 });
    const error = await failure(resend().send(email()));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(3_000);
  });

  it("500: retryable", async () => {
    standIn.script("resend", { kind: "status", status: 500 });
    const error = await failure(resend().send(email()));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/resend 500: internal_server_error/);
  });

  it("422 validation error: permanent, carrying Resend's message", async () => {
    standIn.script("resend", { kind: "status", status: 422, message: "Invalid `to` field." });
    const error = await failure(resend().send(email()));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain("validation_error: Invalid `to` field.");
    // And one the stand-in finds by itself: no recipient.
    await expect(resend().send(email({ to: "" }))).rejects.toBeInstanceOf(PermanentError);
  });

  it("401 from a wrong key: halts the queue", async () => {
    const error = await failure(resend("re_wrong").send(email()));
    expect(error).toBeInstanceOf(HaltQueueError);
    expect((error as Error).message).toMatch(/resend rejected the credentials \(401\)/);
  });

  it("a hang or nothing listening: retryable", async () => {
    standIn.script("resend", { kind: "hang" });
    await expect(resend("re_good", 300).send(email())).rejects.toBeInstanceOf(RetryableError);
    const nobody = createResendProvider({
      apiKey: "re_good",
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 1_000,
    });
    await expect(nobody.send(email())).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("choosing the email provider", () => {
  it("EMAIL_PROVIDER=resend, or RESEND_API_KEY without SENDGRID_API_KEY, chooses Resend", () => {
    const choose = (env: Record<string, string>) => emailProviderChoice(loadEmailSettings(env));
    expect(choose({ RESEND_API_KEY: "re_1" })).toBe("resend");
    expect(choose({ RESEND_API_KEY: "re_1", SENDGRID_API_KEY: "SG.1" })).toBe("sendgrid");
    expect(choose({ RESEND_API_KEY: "re_1", SENDGRID_API_KEY: "SG.1", EMAIL_PROVIDER: "resend" })).toBe("resend");
    expect(choose({ RESEND_API_KEY: "re_1", EMAIL_PROVIDER: "console" })).toBe("console");
    expect(choose({})).toBe("console");
    expect(emailProviderFor(loadEmailSettings({ RESEND_API_KEY: "re_1" })).name).toBe("resend");
  });

  it("names the missing key in one line", () => {
    expect(() => loadEmailSettings({ EMAIL_PROVIDER: "resend" })).toThrow(
      /^invalid configuration: RESEND_API_KEY is required when EMAIL_PROVIDER=resend/,
    );
    expect(() => loadEmailSettings({ NODE_ENV: "production" })).toThrow(/SENDGRID_API_KEY is required/);
    expect(loadEmailSettings({ NODE_ENV: "production", RESEND_API_KEY: "re_1" }).RESEND_API_KEY).toBe("re_1");
    expect(() => loadEmailSettings({ RESEND_API_KEY: "re_1", RESEND_BASE_URL: "not a url" })).toThrow(
      /^invalid configuration: RESEND_BASE_URL /,
    );
  });
});
