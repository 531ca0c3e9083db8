// SendGrid's Signed Event Webhook over HTTP with a key pair made for the test: SendGrid signs
// timestamp + raw body with ECDSA P-256 / SHA-256 and we hold the public half.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { Queue } from "@notify/queue";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

const pair = () => generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const ours = pair();
const theirs = pair();

let h: Harness;
let events: Queue;
beforeAll(async () => {
  h = await startHarness({
    config: { sendgridPublicKey: ours.publicKey.export({ format: "der", type: "spki" }).toString("base64") },
  });
  events = new Queue("email_events", { connection: h.redis });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await events.clear();
});

const now = () => String(Math.floor(Date.now() / 1000));

function signed(
  body: string,
  { key = ours.privateKey, timestamp = now() }: { key?: KeyObject; timestamp?: string } = {},
) {
  const signature = sign("sha256", Buffer.from(timestamp + body), key).toString("base64");
  return { signature, timestamp };
}

function post(body: string, headers: { signature?: string; timestamp?: string }) {
  return fetch(`${h.app.url}/webhooks/sendgrid`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(headers.signature ? { "X-Twilio-Email-Event-Webhook-Signature": headers.signature } : {}),
      ...(headers.timestamp ? { "X-Twilio-Email-Event-Webhook-Timestamp": headers.timestamp } : {}),
    },
    body,
  });
}

const sgEvents = [
  {
    email: "a@example.com",
    event: "delivered",
    timestamp: 1_760_000_000,
    sg_event_id: "e1",
    job_id: "j1",
    batch_id: "b1",
  },
  { email: "a@example.com", event: "open", timestamp: 1_760_000_010, sg_event_id: "e2", job_id: "j1" },
  { email: "a@example.com", event: "click", timestamp: 1_760_000_020, url: "https://example.com/x", job_id: "j1" },
  { email: "b@example.com", event: "bounce", type: "bounce", reason: "550 no such user", timestamp: 1_760_000_030 },
  { email: "c@example.com", event: "dropped", reason: "Bounced Address", timestamp: 1_760_000_040 },
  { email: "d@example.com", event: "spamreport", timestamp: 1_760_000_050 },
  { email: "e@example.com", event: "group_unsubscribe", timestamp: 1_760_000_060 },
  { email: "f@example.com", event: "processed", timestamp: 1_760_000_070 },
  { email: "g@example.com", event: "deferred", timestamp: 1_760_000_080 },
];

describe("POST /webhooks/sendgrid", () => {
  it("queues one email-events job per event it acts on", async () => {
    const body = JSON.stringify(sgEvents);
    const response = await post(body, signed(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 7, ignored: 2 });
    const jobs = (await events.peek(20)).map((found) => found.job);
    expect(jobs.map((j) => j?.type)).toEqual([
      "EMAIL_DELIVERED",
      "EMAIL_OPENED",
      "EMAIL_CLICKED",
      "EMAIL_BOUNCED",
      "EMAIL_DROPPED",
      "EMAIL_SPAM_REPORT",
      "EMAIL_UNSUBSCRIBED",
    ]);
    expect(jobs[0]?.data).toMatchObject({
      recipient: "a@example.com",
      jobId: "j1",
      batchId: "b1",
      providerEventId: "e1",
      timestamp: 1_760_000_000_000,
    });
    expect(jobs[2]?.data).toMatchObject({ url: "https://example.com/x" });
    expect(jobs[3]?.data).toMatchObject({ bounceType: "hard", reason: "550 no such user" });
  });

  it.each([
    ["a signature over a different body", () => ({ body: "[]", headers: signed('[{"event":"open"}]') })],
    ["a signature by another key", () => ({ body: "[]", headers: signed("[]", { key: theirs.privateKey }) })],
    [
      "a signature for another timestamp",
      () => ({ body: "[]", headers: { ...signed("[]"), timestamp: String(Number(now()) - 1) } }),
    ],
    ["no signature headers", () => ({ body: "[]", headers: {} })],
    ["a garbage signature", () => ({ body: "[]", headers: { signature: "bm90IGEgc2lnbmF0dXJl", timestamp: now() } })],
    [
      "a replay of a day-old signature",
      () => ({ body: "[]", headers: signed("[]", { timestamp: String(Number(now()) - 2 * 86_400) }) }),
    ],
  ])("answers 401 for %s and queues nothing", async (_, make) => {
    const { body, headers } = make();
    const response = await post(body, headers);
    expect(response.status).toBe(401);
    expect((await events.stats()).pending).toBe(0);
  });

  it("answers 400 for a signed body that is not an event array", async () => {
    const body = '{"event":"open"}';
    expect((await post(body, signed(body))).status).toBe(400);
  });
});
