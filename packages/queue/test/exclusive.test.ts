// Under load with several worker processes, no job is ever held by two workers at once and every
// job runs exactly once when nothing crashes.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { Queue } from "../src/index.ts";
import { spawnWorker } from "./fixtures/spawn-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("exclusive claims", () => {
  it("10,000 jobs over 3 worker processes: each runs once, never two at a time", async () => {
    const name = queueName("excl");
    const queue = new Queue(name, { connection: t.redis });
    const env = { REDIS_URL: t.server.url, QUEUE: name, MODE: "record", CONCURRENCY: "20" };
    const processes = await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)]);
    const { ids } = await queue.pushBulk(Array.from({ length: 10_000 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(async () => (await queue.stats()).processed === 10_000, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: "10,000 processed",
    });
    for (const p of processes) p.child.kill("SIGTERM");
    expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0, 0]);
    const runs = await t.redis.hgetall(`probe:${name}:runs`);
    expect(Object.keys(runs)).toHaveLength(10_000);
    expect(Object.values(runs).every((n) => n === "1")).toBe(true);
    expect(new Set(Object.keys(runs))).toEqual(new Set(ids));
    expect(await t.redis.get(`probe:${name}:overlaps`)).toBeNull();
    const starts = await t.redis.lrange(`probe:${name}:starts`, 0, -1);
    expect(new Set(starts.map((s) => s.split(":")[2])).size).toBe(3); // every process took part
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, dead: 0, workers: 0 });
  }, 90_000);
});
