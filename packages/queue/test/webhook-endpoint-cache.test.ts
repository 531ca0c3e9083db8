// The fan-out's cached endpoint list (webhookEndpointsForFanOut): every change to the endpoints,
// made through any connection (another API process), is seen by the next fan-out after it.
import { describe, expect, it } from "vitest";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  fanOutMessageEvent,
  type MessageSummary,
  setWebhookEndpointPaused,
  webhookEndpointsForFanOut,
} from "../src/notifications/index.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();

const message = (id: string): MessageSummary => ({
  id,
  queue: "email",
  channel: "email",
  to: "reader@example.com",
  template: "welcome",
  enqueuedAt: Date.now(),
  attempts: 1,
  status: "sent",
  updatedAt: Date.now(),
});

describe("webhook endpoints cached for fan-out", () => {
  it("sees an endpoint created, paused, resumed and deleted through another connection", async () => {
    const worker = t.connect();
    const api = t.connect();
    const fanOut = (id: string) =>
      fanOutMessageEvent(worker, { type: "message.sent", eventKey: `${id}.sent`, message: message(id) });

    expect(await fanOut("m1")).toBe(0);
    const endpoint = await createWebhookEndpoint(api, { url: "http://127.0.0.1:9/hook", events: ["message.sent"] });
    expect(await fanOut("m2")).toBe(1);
    await setWebhookEndpointPaused(api, endpoint.id, { reason: "maintenance" });
    expect(await fanOut("m3")).toBe(0);
    await setWebhookEndpointPaused(api, endpoint.id, null);
    expect(await fanOut("m4")).toBe(1);
    await deleteWebhookEndpoint(api, endpoint.id);
    expect(await fanOut("m5")).toBe(0);
  });

  it("reads the list again after Redis lost its data, even with an endpoint of the same shape", async () => {
    const worker = t.connect();
    await createWebhookEndpoint(t.redis, { url: "http://127.0.0.1:9/a", events: ["message.sent"] });
    const before = await webhookEndpointsForFanOut(worker);
    await t.redis.flushall();
    const again = await createWebhookEndpoint(t.redis, { url: "http://127.0.0.1:9/a", events: ["message.sent"] });
    expect((await webhookEndpointsForFanOut(worker)).map((e) => e.id)).toEqual([again.id]);
    expect(before.map((e) => e.id)).not.toContain(again.id);
  });
});
