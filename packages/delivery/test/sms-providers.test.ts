// Twilio through the official `twilio` package and MSG91's Flow API (v5, DLT templates) against
// the stand-in: what each reply means for the job, and how the environment chooses them.
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";
import { freePort, ProviderStandIn } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSmsSettings, smsProviderChain } from "../src/config.ts";
import { NotSentError } from "../src/providers/classify.ts";
import { createMsg91FlowProvider } from "../src/providers/msg91-flow.ts";
import { createTwilioProvider } from "../src/providers/twilio.ts";
import type { SmsMessage } from "../src/providers/types.ts";
import { smsChainFor } from "../src/wiring.ts";
import { silentLogger } from "./support/silent-logger.ts";

const SID = `AC${"a1".repeat(16)}`;
const standIn = new ProviderStandIn({ twilioAccountSid: SID, twilioAuthToken: "good-token", msg91AuthKey: "good-key" });
beforeAll(() => standIn.start().then(() => undefined));
afterAll(() => standIn.stop());

let n = 0;
const sms = (overrides: Partial<SmsMessage> = {}): SmsMessage => ({
  jobId: `sms-${++n}`,
  to: "+15005550006",
  text: `Your code is ${100_000 + n}`,
  category: "otp",
  data: { code: String(100_000 + n) },
  ...overrides,
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );
const twilio = (authToken = "good-token", timeoutMs = 2_000) =>
  createTwilioProvider({ accountSid: SID, authToken, from: "+15005550001", baseUrl: standIn.url, timeoutMs });
const flow = (authKey = "good-key") =>
  createMsg91FlowProvider({
    authKey,
    baseUrl: standIn.url,
    templates: { otp: { flowId: "64f0c0ffee", dltTemplateId: "1107161234567890123" } },
    timeoutMs: 2_000,
  });

describe("Twilio provider", () => {
  it("201: sent once, with Twilio's message sid", async () => {
    const message = sms();
    const result = await twilio().send(message);
    expect(result.providerId).toMatch(/^SM/);
    expect(standIn.deliveriesOf(`${message.to}:${message.text}`)).toBe(1);
    expect(standIn.deliveries.at(-1)?.body).toMatchObject({ To: message.to, From: "+15005550001", Body: message.text });
  });

  it("400 (invalid number): permanent with Twilio's message and code", async () => {
    standIn.script("twilio", { kind: "status", status: 400, message: "The 'To' number is not a valid phone number." });
    const error = await failure(twilio().send(sms()));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/not a valid phone number.*code 21211/);
  });

  it("429 and 503: retryable, and certainly not sent", async () => {
    standIn.script("twilio", { kind: "status", status: 429 }, { kind: "status", status: 503 });
    expect(await failure(twilio().send(sms()))).toBeInstanceOf(NotSentError);
    expect(await failure(twilio().send(sms()))).toBeInstanceOf(NotSentError);
  });

  it("a wrong auth token: stops this provider (halt)", async () => {
    expect(await failure(twilio("bad-token").send(sms()))).toBeInstanceOf(HaltQueueError);
  });

  it("a hang or nothing listening: retryable", async () => {
    standIn.script("twilio", { kind: "hang" });
    expect(await failure(twilio("good-token", 300).send(sms()))).toBeInstanceOf(RetryableError);
    const nobody = createTwilioProvider({
      accountSid: SID,
      authToken: "good-token",
      from: "+15005550001",
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 1_000,
    });
    expect(await failure(nobody.send(sms()))).toBeInstanceOf(NotSentError);
  });
});

describe("MSG91 Flow provider (v5, DLT templates)", () => {
  it("sends the template's flow id, its DLT id and the job's data as variables", async () => {
    const message = sms({ to: "+919876543210" });
    const result = await flow().send(message);
    expect(result.providerId).toMatch(/^m91-/);
    expect(standIn.deliveries.at(-1)?.body).toEqual({
      template_id: "64f0c0ffee",
      DLT_TE_ID: "1107161234567890123",
      short_url: "0",
      recipients: [{ mobiles: "919876543210", code: message.data?.code }],
    });
  });

  it("a template with no flow mapped: permanent, nothing sent", async () => {
    const before = standIn.stats().requests;
    const error = await failure(flow().send(sms({ category: "order_shipped" })));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('no flow mapped for template "order_shipped"');
    expect(standIn.stats().requests).toBe(before);
  });

  it("401: halts; 500: retryable and not sent; a 200 error body: permanent", async () => {
    expect(await failure(flow("wrong").send(sms()))).toBeInstanceOf(HaltQueueError);
    standIn.script(
      "msg91flow",
      { kind: "status", status: 500 },
      { kind: "status", status: 200, message: "Invalid template" },
    );
    expect(await failure(flow().send(sms()))).toBeInstanceOf(NotSentError);
    expect(await failure(flow().send(sms()))).toBeInstanceOf(PermanentError);
  });
});

describe("an SMS chain of MSG91 then Twilio, built from SMS_PROVIDERS", () => {
  it("MSG91 answers 503: Twilio sends the same message at once; a Twilio 400 stays permanent", async () => {
    const chain = smsChainFor(
      loadSmsSettings({
        SMS_PROVIDERS: "msg91,twilio",
        MSG91_AUTH_KEY: "good-key",
        MSG91_BASE_URL: standIn.url,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: "good-token",
        TWILIO_FROM: "+15005550001",
        TWILIO_BASE_URL: standIn.url,
      }),
      { logger: silentLogger },
    );
    expect(chain.name).toBe("msg91,twilio");
    standIn.script("msg91", { kind: "status", status: 503 });
    const message = sms({ to: "+919876543210" });
    expect(await chain.send(message)).toMatchObject({ provider: "twilio", providerId: expect.stringMatching(/^SM/) });
    expect(standIn.deliveriesOf(`${message.to}:${message.text}`)).toBe(1);
    expect(standIn.deliveriesOf(`919876543210:${message.text}`)).toBe(0);
    standIn.script("msg91", { kind: "status", status: 503 });
    standIn.script("twilio", { kind: "status", status: 400, message: "The 'To' number is not a valid phone number." });
    expect(await failure(chain.send(sms()))).toBeInstanceOf(PermanentError);
  });
});

describe("choosing SMS providers", () => {
  it("SMS_PROVIDERS is a chain; SMS_PROVIDER and MSG91_AUTH_KEY keep working", () => {
    const twilioEnv = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: "t", TWILIO_FROM: "+15005550001" };
    expect(smsProviderChain(loadSmsSettings({ MSG91_AUTH_KEY: "k" }))).toEqual(["msg91"]);
    expect(smsProviderChain(loadSmsSettings({}))).toEqual(["console"]);
    expect(smsProviderChain(loadSmsSettings({ SMS_PROVIDER: "twilio", ...twilioEnv }))).toEqual(["twilio"]);
    expect(
      smsProviderChain(loadSmsSettings({ SMS_PROVIDERS: "msg91, twilio", MSG91_AUTH_KEY: "k", ...twilioEnv })),
    ).toEqual(["msg91", "twilio"]);
  });

  it("names what a chain member is missing, in one line", () => {
    expect(() => loadSmsSettings({ SMS_PROVIDERS: "msg91,twilio", MSG91_AUTH_KEY: "k" })).toThrow(
      /^invalid configuration: TWILIO_ACCOUNT_SID is required when SMS_PROVIDERS=msg91,twilio/,
    );
    expect(() => loadSmsSettings({ SMS_PROVIDERS: "msg91,msg91", MSG91_AUTH_KEY: "k" })).toThrow(/twice/);
    expect(() => loadSmsSettings({ SMS_PROVIDERS: "nexmo" })).toThrow(/^invalid configuration: SMS_PROVIDERS/);
    expect(() => loadSmsSettings({ MSG91_AUTH_KEY: "k", MSG91_API: "flow" })).toThrow(
      /^invalid configuration: MSG91_FLOW_TEMPLATES is required when MSG91_API=flow/,
    );
    expect(() => loadSmsSettings({ MSG91_AUTH_KEY: "k", MSG91_API: "flow", MSG91_FLOW_TEMPLATES: "{" })).toThrow(
      /MSG91_FLOW_TEMPLATES is not valid JSON/,
    );
  });
});
