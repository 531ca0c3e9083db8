// Group commit: jobs pushed in one event-loop turn reach Redis as one RPUSH, in the engine's format,
// the queue is registered like any other, and each caller learns about a failure instead of being
// told its job is queued.

import { freePort, type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, jobCreatedAt, listQueues, Queue, type RedisConnection } from "../src/index.ts";

function testRedis(url: string): RedisConnection {
  const redis = createRedis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => {});
  return redis;
}

let server: RedisServerHandle;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedisServer();
  redis = testRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

async function rpushCalls(): Promise<number> {
  const info = await redis.info("commandstats");
  return Number(/cmdstat_rpush:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe("GroupCommit", () => {
  it("sends a turn's jobs as one RPUSH that the engine reads back as ordinary jobs", async () => {
    const batcher = new Queue("batched", { connection: redis }).groupCommit();
    const before = await rpushCalls();
    const ids = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        batcher.push({ type: "EMAIL_OPENED", to: `r${i}@example.com`, data: { i } }),
      ),
    );
    expect(await rpushCalls()).toBe(before + 1);
    expect(new Set(ids).size).toBe(200);
    const queue = new Queue("batched", { connection: redis });
    expect((await queue.stats()).pending).toBe(200);
    const found = await queue.getJob(ids[199] ?? "");
    expect(found).toMatchObject({
      state: "pending",
      job: { id: ids[199], type: "EMAIL_OPENED", to: "r199@example.com", data: { i: 199 }, attempts: 0 },
    });
    expect(found?.raw).toBe(`{"id":"${ids[199]}","type":"EMAIL_OPENED","to":"r199@example.com","data":{"i":199}}`);
    expect(jobCreatedAt({ id: ids[199] ?? "" })).toBeGreaterThan(Date.now() - 60_000);
    expect(await listQueues(redis)).toContain("batched");
  });

  it("sends at once when a turn's group is full", async () => {
    const batcher = new Queue("full", { connection: redis }).groupCommit();
    const before = await rpushCalls();
    await Promise.all(Array.from({ length: 1_200 }, (_, i) => batcher.push({ type: "t", data: { i } })));
    expect(await rpushCalls()).toBe(before + 3);
    expect((await new Queue("full", { connection: redis }).stats()).pending).toBe(1_200);
  });

  it("rejects every waiting caller when the push fails", async () => {
    const nowhere = testRedis(`redis://127.0.0.1:${await freePort()}`);
    try {
      const batcher = new Queue("batched", { connection: nowhere }).groupCommit();
      const results = await Promise.allSettled([batcher.push({ type: "a" }), batcher.push({ type: "b" })]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    } finally {
      nowhere.disconnect();
    }
  });
});
