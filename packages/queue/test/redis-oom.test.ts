// Redis at maxmemory with noeviction: heartbeats, claims, acks and retries must go on (their
// scripts run with allow-oom), so no live worker is taken for dead and nothing runs twice; pushes
// are refused with OOM; once memory is freed, new jobs flow again and nothing is stranded.
import { startRedisServer, waitFor } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, isOutOfMemoryError, Queue } from "../src/index.ts";
import { spawnWorker } from "./fixtures/spawn-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis({ appendOnly: false });
// The probe records go to a server of their own: the queue's server refuses every growing write.
let probeServer: Awaited<ReturnType<typeof startRedisServer>>;
let probe: Redis;
beforeAll(async () => {
  probeServer = await startRedisServer();
  probe = new Redis(probeServer.url);
});
afterAll(async () => {
  probe.disconnect();
  await probeServer.stop();
});

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
}

describe("Redis at maxmemory (noeviction)", () => {
  it("keeps every lease, runs nothing twice, and strands nothing once memory is freed", async () => {
    const name = queueName("oom");
    const queue = new Queue(name, { connection: t.redis });
    const env = {
      REDIS_URL: t.server.url,
      PROBE_URL: probeServer.url,
      QUEUE: name,
      MODE: "slow",
      SLOW_MS: "100",
      LEASE_MS: "1500",
      CONCURRENCY: "4",
    };
    const workers = await Promise.all([spawnWorker(env), spawnWorker(env)]);
    await queue.pushBulk(Array.from({ length: 300 }, (_, i) => ({ type: "x", data: { i, pad: "p".repeat(200) } })));
    await t.redis.config("SET", "maxmemory-policy", "noeviction");
    // Below what is used, so the acks freeing payloads cannot bring Redis back under the limit.
    await t.redis.config("SET", "maxmemory", String((await usedMemory(t.redis)) - 400_000));
    await expect(queue.push({ type: "x" })).rejects.toSatisfy(isOutOfMemoryError);
    const ranBefore = await probe.hlen(`probe:${name}:runs`);
    // Longer than two leases at maxmemory, with jobs still being claimed and acked.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(queue.push({ type: "x" })).rejects.toSatisfy(isOutOfMemoryError);
    expect((await queue.stats()).workers).toBe(2); // both leases renewed all along
    expect(await probe.hlen(`probe:${name}:runs`)).toBeGreaterThan(ranBefore + 50); // and work went on
    await t.redis.config("SET", "maxmemory", "0");
    await queue.pushBulk(Array.from({ length: 100 }, (_, i) => ({ type: "x", data: { after: i } })));
    await waitFor(async () => (await probe.hlen(`probe:${name}:runs`)) === 400, {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: "every job ran, fresh ones included",
    });
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    const runs = Object.values(await probe.hgetall(`probe:${name}:runs`));
    expect(runs.every((n) => n === "1")).toBe(true);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, recovered: 0, lateAcks: 0, processed: 400 });
  }, 60_000);
});

describe("an evicting maxmemory-policy", () => {
  it("makes a worker say loudly, at start, that queued jobs can be dropped", async () => {
    const lines: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (_: object, message?: string) => void lines.push(message ?? ""),
    };
    await t.redis.config("SET", "maxmemory-policy", "allkeys-lru");
    const worker = createWorker(queueName("evict"), async () => {}, { connection: t.connect(), logger: log });
    await worker.start();
    await waitFor(() => lines.some((line) => /allkeys-lru.*evict queued jobs/.test(line)));
    await worker.close();
    await t.redis.config("SET", "maxmemory-policy", "noeviction");
  });
});
