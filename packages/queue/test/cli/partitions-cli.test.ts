// The CLI shows a partitioned queue as the logical queue: one row, counts summed over partitions,
// and push, pause and clear act on every partition.
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue, type QueueStats } from "../../src/index.ts";
import { queueName } from "../setup.ts";
import { cliJson, runCli } from "./run-cli.ts";

let server: RedisServerHandle;
let redis: Redis;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  env = { REDIS_URL: server.url };
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("queue CLI on a partitioned queue", () => {
  it("lists it once with summed counts and pushes, pauses and clears across its partitions", async () => {
    const name = queueName("cli-parts");
    const queue = new Queue(name, { connection: redis, partitions: 3 });
    await queue.pushBulk(Array.from({ length: 9 }, () => ({ type: "welcome", data: { user_name: "A" } })));
    await cliJson(["push", name, "--count", "3"], env);
    const perPartition = await Promise.all(queue.partitions.map((part) => redis.llen(part.keys.pending)));
    expect(perPartition.reduce((a, b) => a + b, 0)).toBe(12);
    expect(perPartition.every((n) => n >= 3)).toBe(true);

    const all = await cliJson<{ queues: QueueStats[] }>(["stats"], env);
    const rows = all.queues.filter((s) => s.name.startsWith(name));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name, partitions: 3, pending: 12 });
    const text = await runCli(["stats"], env);
    expect(text.stdout).toContain(`${name} (3 partitions)`);

    await cliJson(["pause", name], env);
    expect((await queue.isPaused()).paused).toBe(true);
    expect(await Promise.all(queue.partitions.map(async (p) => (await p.isPaused()).paused))).toEqual([
      true,
      true,
      true,
    ]);
    const cleared = await cliJson<{ removed: number }>(["clear", name], env);
    expect(cleared.removed).toBe(12);
    expect((await cliJson<QueueStats>(["stats", name], env)).pending).toBe(0);
  }, 60_000);
});
