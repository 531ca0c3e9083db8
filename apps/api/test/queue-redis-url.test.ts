// Seed 001's QUEUE_REDIS_URL: the real API process (Bun) given only that variable finds its Redis
// there; with REDIS_URL set too, REDIS_URL wins.
import { createNotifyClient } from "@notify/client";
import { Queue } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBunApi } from "./support/bun-process.ts";
import { SERVICE_KEY, testRedis } from "./support/harness.ts";

let chosen: RedisServerHandle;
let other: RedisServerHandle;
beforeAll(async () => {
  [chosen, other] = await Promise.all([startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([chosen?.stop(), other?.stop()]);
});

async function sendThrough(env: Record<string, string>): Promise<void> {
  const api = await startBunApi({ ...env, API_KEYS: SERVICE_KEY, HEALTH_REQUIRE_WORKERS: "false" });
  try {
    const service = createNotifyClient({ url: api.url, apiKey: SERVICE_KEY });
    await service.email.send.mutate({ template: "welcome", to: "q@example.com", data: { user_name: "Q" } });
  } finally {
    expect(await api.stop()).toBe(0);
  }
}

async function pendingIn(server: RedisServerHandle): Promise<number> {
  const redis = testRedis(server.url);
  try {
    return (await new Queue(EMAIL_QUEUE, { connection: redis }).stats()).pending;
  } finally {
    redis.disconnect();
  }
}

describe("QUEUE_REDIS_URL", () => {
  it("is where the API queues when REDIS_URL is unset, and REDIS_URL wins when both are set", async () => {
    await sendThrough({ QUEUE_REDIS_URL: chosen.url });
    expect(await pendingIn(chosen)).toBe(1);
    await sendThrough({ REDIS_URL: chosen.url, QUEUE_REDIS_URL: other.url });
    expect(await pendingIn(chosen)).toBe(2);
    expect(await pendingIn(other)).toBe(0);
  });
});
