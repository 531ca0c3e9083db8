// Group commit: jobs pushed in one event-loop turn reach Redis as one RPUSH, in the engine's format,
// and each caller learns about a failure instead of being told its job is queued.

import { jobCreatedAt, Queue } from "@notify/queue";
import { freePort, type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PushBatcher } from "../src/lib/push-batcher.ts";
import type { RedisConnection } from "../src/lib/redis-guard.ts";
import { testRedis } from "./support/harness.ts";

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

describe("PushBatcher", () => {
  it("sends a turn's jobs as one RPUSH that the engine reads back as ordinary jobs", async () => {
    const batcher = new PushBatcher(redis, "batched");
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
  });

  it("rejects every waiting caller when the push fails", async () => {
    const nowhere = testRedis(`redis://127.0.0.1:${await freePort()}`);
    try {
      const batcher = new PushBatcher(nowhere, "batched");
      const results = await Promise.allSettled([batcher.push({ type: "a" }), batcher.push({ type: "b" })]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    } finally {
      nowhere.disconnect();
    }
  });
});
