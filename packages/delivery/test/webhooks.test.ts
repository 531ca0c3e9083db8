// Status webhooks through the real webhooks queue and worker to a real local HTTP receiver: every
// call is signed per Standard Webhooks over the exact body (checked with the standardwebhooks
// package), failures are retried with the same webhook-id, every attempt is in the delivery log,
// an endpoint that keeps failing is paused and its events end in dead letters.
import { createRedis, createWorker, Queue, type RedisConnection } from "@notify/queue";
import {
  createWebhookEndpoint,
  fanOutMessageEvent,
  getWebhookEndpoint,
  type MessageSummary,
  queueTestEvent,
  setWebhookEndpointPaused,
  WEBHOOKS_QUEUE,
  webhookDeliveries,
} from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, WebhookReceiver, waitFor } from "@notify/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookHandler } from "../src/webhook-handler.ts";
import { silentLogger } from "./support/silent-logger.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
let worker: ReturnType<typeof createWorker>;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await receiver.start();
  const handler = createWebhookHandler({ redis, logger: silentLogger, timeoutMs: 2_000, pauseAfter: 4 });
  worker = createWorker(WEBHOOKS_QUEUE, handler, {
    connection: createRedis(server.url),
    maxAttempts: 3,
    backoff: { type: "fixed", delayMs: 1 },
  });
  await worker.start();
});
afterAll(async () => {
  await worker?.close();
  redis.disconnect();
  await receiver.stop();
  await server.stop();
});

const message = (id: string, tenant?: string): MessageSummary => ({
  id,
  queue: "email",
  channel: "email",
  to: "ann@example.com",
  template: "welcome",
  enqueuedAt: Date.now(),
  attempts: 1,
  status: "sent",
  provider: "sendgrid",
  providerMessageId: `pm-${id}`,
  updatedAt: Date.now(),
  ...(tenant ? { tenant } : {}),
});

describe("status webhooks", () => {
  it("POSTs each subscribed event once, signed over the exact body; others and other tenants get nothing", async () => {
    const mine = await createWebhookEndpoint(
      redis,
      { url: `${receiver.url}/mine`, events: ["message.sent", "message.bounced"] },
      "app",
    );
    await createWebhookEndpoint(redis, { url: `${receiver.url}/other-tenant`, events: ["message.sent"] }, "other");
    await createWebhookEndpoint(redis, { url: `${receiver.url}/clicks-only`, events: ["message.clicked"] }, "app");
    expect(mine.secret).toMatch(/^whsec_/);
    const queued = await fanOutMessageEvent(redis, {
      type: "message.sent",
      eventKey: "j1.sent",
      message: message("j1", "app"),
    });
    expect(queued).toBe(1);
    const [call] = await waitFor(() => (receiver.to("/mine").length === 1 ? receiver.to("/mine") : null));
    if (!call) throw new Error("no call");
    const event = new Webhook(mine.secret).verify(call.body, call.headers) as { type: string; data: unknown };
    expect(event).toMatchObject({
      type: "message.sent",
      data: { message: { id: "j1", status: "sent", provider: "sendgrid", providerMessageId: "pm-j1" } },
    });
    expect(call.headers["webhook-id"]).toBe("msg_j1.sent");
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString("base64")}`).verify(call.body, call.headers),
    ).toThrow();
    expect(() => new Webhook(mine.secret).verify(`${call.body} `, call.headers)).toThrow();
    // The same fan-out again (a handler re-run after a crash) queues nothing new.
    await fanOutMessageEvent(redis, { type: "message.sent", eventKey: "j1.sent", message: message("j1", "app") });
    await queueTestEvent(redis, mine);
    await waitFor(() => receiver.to("/mine").length === 2, { message: "test event" });
    expect(receiver.to("/mine").map((r) => JSON.parse(r.body).type)).toEqual(["message.sent", "webhook.test"]);
    expect(receiver.to("/other-tenant")).toHaveLength(0);
    expect(receiver.to("/clicks-only")).toHaveLength(0);
  });

  it("retries a failing receiver with the same webhook-id and logs every attempt", async () => {
    const endpoint = await createWebhookEndpoint(redis, { url: `${receiver.url}/flaky`, events: ["message.bounced"] });
    receiver.script(500, 503);
    await fanOutMessageEvent(redis, { type: "message.bounced", eventKey: "j2.bounced.e1", message: message("j2") });
    const calls = await waitFor(() => (receiver.to("/flaky").length === 3 ? receiver.to("/flaky") : null));
    expect(calls.map((c) => c.status)).toEqual([500, 503, 200]);
    expect(new Set(calls.map((c) => c.headers["webhook-id"])).size).toBe(1);
    for (const call of calls) expect(() => new Webhook(endpoint.secret).verify(call.body, call.headers)).not.toThrow();
    const log = await waitFor(async () => {
      const current = await webhookDeliveries(redis, endpoint.id);
      return current.deliveries.length === 3 ? current : null;
    });
    expect(log.failuresInARow).toBe(0);
    expect(log.deliveries.map((d) => [d.attempt, d.ok, d.status])).toEqual([
      [3, true, 200],
      [2, false, 503],
      [1, false, 500],
    ]);
  });

  it("pauses an endpoint that keeps failing; its events go to dead letters until it is resumed", async () => {
    const endpoint = await createWebhookEndpoint(redis, { url: `${receiver.url}/down`, events: ["message.failed"] });
    receiver.script(500, 500, 500, 500, 500, 500);
    await fanOutMessageEvent(redis, { type: "message.failed", eventKey: "j3.failed", message: message("j3") });
    await fanOutMessageEvent(redis, { type: "message.failed", eventKey: "j4.failed", message: message("j4") });
    const paused = await waitFor(async () => (await getWebhookEndpoint(redis, endpoint.id))?.paused ?? null, {
      message: "endpoint paused",
    });
    expect(paused.reason).toMatch(/failed deliveries in a row/);
    const queue = new Queue(WEBHOOKS_QUEUE, { connection: redis });
    const dead = await waitFor(async () => {
      const entries = [];
      for await (const entry of queue.dlq.scan()) if (entry.job?.data.endpointId === endpoint.id) entries.push(entry);
      return entries.length === 2 ? entries : null;
    });
    expect(dead.map((d) => d.reason).sort()).toEqual(expect.arrayContaining(["paused"]));
    // While paused, new events are not queued for it at all.
    expect(
      await fanOutMessageEvent(redis, { type: "message.failed", eventKey: "j5.failed", message: message("j5") }),
    ).toBe(0);
    await setWebhookEndpointPaused(redis, endpoint.id, null);
    expect((await webhookDeliveries(redis, endpoint.id)).failuresInARow).toBe(0);
    for (const entry of dead) await queue.dlq.retry(entry.id);
    await waitFor(() => receiver.to("/down").filter((c) => c.status === 200).length === 2, {
      message: "delivered after resume",
    });
  });
});
