// SMS delivery reports over HTTP: Twilio's status callback signed the way Twilio signs it (its own
// helper computes the expected X-Twilio-Signature), MSG91's delivery-report webhook with its URL
// token; the reports are then run through the real events handler, counted by type and put on the
// timeline of the SMS they report on (sent through the real SMS handler to the provider stand-in).
import { createDeliveryTarget } from "@notify/delivery";
import { drain, Queue } from "@notify/queue";
import { EMAIL_EVENTS_QUEUE, SMS_QUEUE, smsEventCounts, WEBHOOKS_QUEUE } from "@notify/queue/notifications";
import { ProviderStandIn } from "@notify/testing";
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

const AUTH_TOKEN = "twilio-auth-token-for-tests";
const MSG91_TOKEN = "msg91-webhook-token-0123456789";

let h: Harness;
let events: Queue;
beforeAll(async () => {
  h = await startHarness({ config: { twilioAuthToken: AUTH_TOKEN, msg91WebhookToken: MSG91_TOKEN } });
  events = new Queue(EMAIL_EVENTS_QUEUE, { connection: h.redis });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await events.clear();
});

function postTwilio(params: Record<string, string>, { token = AUTH_TOKEN, query = "?job_id=job-7" } = {}) {
  const url = `${h.app.url}/webhooks/twilio${query}`;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(token, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

const callback = (status: string, sid = "SM0001") => ({
  AccountSid: `AC${"0".repeat(32)}`,
  MessageSid: sid,
  MessageStatus: status,
  To: "+15005550006",
  From: "+15005550001",
  ...(status === "undelivered" ? { ErrorCode: "30003" } : {}),
});

async function runEvents() {
  const target = await createDeliveryTarget("events", { redis: h.redis, env: {} });
  return drain(EMAIL_EVENTS_QUEUE, target.handler, { ...target.options, connection: h.redis, limit: 50 });
}

describe("POST /webhooks/twilio", () => {
  it("a signed final status is queued as an SMS event with the job id, and counted once", async () => {
    const before = await smsEventCounts(h.redis);
    const delivered = await postTwilio(callback("delivered"));
    expect(delivered.status).toBe(200);
    expect(await delivered.json()).toEqual({ accepted: 1, ignored: 0 });
    // Twilio retries: the same report again is counted once.
    expect((await postTwilio(callback("delivered"))).status).toBe(200);
    expect(await (await postTwilio(callback("undelivered", "SM0002"))).json()).toEqual({ accepted: 1, ignored: 0 });
    await runEvents();
    const after = await smsEventCounts(h.redis);
    expect(after.SMS_DELIVERED - before.SMS_DELIVERED).toBe(1);
    expect(after.SMS_FAILED - before.SMS_FAILED).toBe(1);
  });

  it("passing states are acknowledged and not queued", async () => {
    expect(await (await postTwilio(callback("sent"))).json()).toEqual({ accepted: 0, ignored: 1 });
    expect((await events.stats()).pending).toBe(0);
  });

  it("a wrong signature, or one over another URL, is 401 and queues nothing", async () => {
    expect((await postTwilio(callback("delivered"), { token: "someone-else" })).status).toBe(401);
    const url = `${h.app.url}/webhooks/twilio?job_id=other`;
    const forged = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${h.app.url}/webhooks/twilio?job_id=job-7`,
          callback("delivered"),
        ),
      },
      body: new URLSearchParams(callback("delivered")).toString(),
    });
    expect(forged.status).toBe(401);
    expect((await events.stats()).pending).toBe(0);
  });
});

describe("POST /webhooks/msg91", () => {
  const report = (statuses: string[]) =>
    JSON.stringify([
      {
        requestId: "3463686a4d6e313233343536",
        senderId: "NOTIFY",
        report: statuses.map((status, i) => ({
          number: `9198765432${10 + i}`,
          status,
          desc: status === "1" ? "DELIVERED" : "FAILED",
          date: "2026-12-01 12:00:00",
        })),
      },
    ]);
  const post = (body: string, token = MSG91_TOKEN, contentType = "application/json") =>
    fetch(`${h.app.url}/webhooks/msg91?token=${encodeURIComponent(token)}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });

  it("delivered and failed reports are queued and counted; pending ones ignored", async () => {
    const before = await smsEventCounts(h.redis);
    const response = await post(report(["1", "16", "8"]));
    expect(await response.json()).toEqual({ accepted: 2, ignored: 1 });
    // MSG91's form-encoded shape: the JSON in a `data` field.
    const form = new URLSearchParams({ data: report(["1", "1", "1", "2"]) }).toString();
    expect(await (await post(form, MSG91_TOKEN, "application/x-www-form-urlencoded")).json()).toEqual({
      accepted: 4,
      ignored: 0,
    });
    await runEvents();
    const after = await smsEventCounts(h.redis);
    // The first number's delivered report repeats in the second post: counted once.
    expect(after.SMS_DELIVERED - before.SMS_DELIVERED).toBe(3);
    expect(after.SMS_FAILED - before.SMS_FAILED).toBe(2);
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`^notify_sms_events_total\\{type="SMS_DELIVERED"\\} ${after.SMS_DELIVERED}$`, "m"),
    );
  });

  it("a wrong token is 401; a body that is not a report is 400", async () => {
    expect((await post(report(["1"]), "wrong-token-0123456789")).status).toBe(401);
    expect((await post("not json")).status).toBe(400);
    expect((await events.stats()).pending).toBe(0);
  });
});

describe("a delivery report on its message's timeline", () => {
  const SID = `AC${"b2".repeat(16)}`;
  const standIn = new ProviderStandIn({
    twilioAccountSid: SID,
    twilioAuthToken: "twilio-api-token",
    msg91AuthKey: "m91",
  });
  beforeAll(() => standIn.start().then(() => undefined));
  afterAll(() => standIn.stop());

  /** Sends one OTP through the real SMS handler and the named provider; the message as logged. */
  async function sendVia(provider: "twilio" | "msg91", to: string) {
    const env = {
      SMS_PROVIDER: provider,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: "twilio-api-token",
      TWILIO_FROM: "+15005550001",
      TWILIO_BASE_URL: standIn.url,
      MSG91_AUTH_KEY: "m91",
      MSG91_BASE_URL: standIn.url,
    };
    const { jobId } = await h.service.sms.send.mutate({ template: "otp", to, data: { otp: "5150" } });
    const target = await createDeliveryTarget("sms", { redis: h.redis, env });
    await drain(SMS_QUEUE, target.handler, { ...target.options, connection: h.redis, limit: 10 });
    return h.service.messages.get.query({ id: jobId });
  }

  it("reaches the SMS by the provider's message id: Twilio's delivered, MSG91's refusal as bounced", async () => {
    await h.service.webhooks.create.mutate({
      url: "http://127.0.0.1:9/sms",
      events: ["message.delivered", "message.bounced"],
    });
    const viaTwilio = await sendVia("twilio", "+919876543210");
    const viaMsg91 = await sendVia("msg91", "+919876543211");
    expect([viaTwilio.provider, viaMsg91.provider]).toEqual(["twilio", "msg91"]);
    const webhooks = new Queue(WEBHOOKS_QUEUE, { connection: h.redis });
    const queuedBefore = (await webhooks.stats()).pending;

    // Neither report names the job: only the provider's id joins it to the message.
    expect(
      (await postTwilio({ ...callback("delivered", String(viaTwilio.providerMessageId)) }, { query: "" })).status,
    ).toBe(200);
    const refused = JSON.stringify([
      { requestId: viaMsg91.providerMessageId, report: [{ number: "919876543211", status: "16", desc: "REJECTED" }] },
    ]);
    const msg91 = await fetch(`${h.app.url}/webhooks/msg91?token=${MSG91_TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: refused,
    });
    expect(await msg91.json()).toEqual({ accepted: 1, ignored: 0 });
    await runEvents();

    const delivered = await h.service.messages.get.query({ id: viaTwilio.id });
    expect(delivered.status).toBe("delivered");
    expect(delivered.events.map((e) => e.type)).toEqual(["attempt", "delivered"]);
    const bounced = await h.service.messages.get.query({ id: viaMsg91.id });
    expect(bounced.status).toBe("bounced");
    expect(bounced.events.at(-1)).toMatchObject({ type: "bounced", reason: expect.stringMatching(/\S/) });
    // Each became a status webhook call for the subscribed endpoint.
    expect((await webhooks.stats()).pending - queuedBefore).toBe(2);
  });
});
