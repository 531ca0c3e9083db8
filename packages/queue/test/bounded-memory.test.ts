// Everything the engine keeps in Redis is bounded: histories are capped, metrics and markers expire.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, PermanentError, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("bounded memory", () => {
  it("caps history and dead letters and puts a TTL on every time-bucketed key", async () => {
    const name = queueName("bounded");
    const queue = new Queue(name, { connection: t.redis });
    const worker = createWorker(
      name,
      async (job) => {
        if (job.type === "bad") throw new PermanentError("bad");
      },
      { connection: t.connect(), historyCap: 20, deadLetterCap: 5 },
    );
    await queue.pushBulk(Array.from({ length: 100 }, (_, i) => ({ type: i % 3 === 0 ? "bad" : "ok" })));
    await waitFor(async () => (await queue.stats()).processed === 66);
    await waitFor(async () => (await queue.stats()).deadLettered === 34);
    await worker.close();
    expect(await t.redis.llen(queue.keys.completed)).toBe(20);
    expect(await t.redis.llen(queue.keys.failures)).toBe(20);
    expect(await t.redis.llen(queue.keys.dlq)).toBe(5);
    expect(await t.redis.hget(queue.keys.stats, "deadTrimmed")).toBe("29");
    const keys = await t.redis.keys(`queue:{${name}}:*`);
    const timeBucketed = keys.filter((k) => /:(m|d|done|batch):/.test(k));
    expect(timeBucketed.length).toBeGreaterThanOrEqual(4);
    for (const key of timeBucketed) expect(await t.redis.ttl(key)).toBeGreaterThan(0);
  });

  it("records every completed job at a low rate, and a sample of history-cap a second in a burst", async () => {
    const name = queueName("history");
    const queue = new Queue(name, { connection: t.redis });
    const worker = createWorker(name, async () => {}, { connection: t.connect(), historyCap: 10 });
    await queue.pushBulk(Array.from({ length: 200 }, () => ({ type: "burst" })));
    await waitFor(async () => (await queue.stats()).processed === 200);
    expect(await t.redis.llen(queue.keys.completed)).toBeLessThanOrEqual(10);
    const slow: string[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150)); // the budget refills at 10 a second
      slow.unshift((await queue.push({ type: "slow" })).id);
      await waitFor(async () => (await queue.stats()).processed === 201 + i);
    }
    await worker.close();
    const newest = await t.redis.lrange(queue.keys.completed, 0, 2);
    expect(newest.map((entry) => JSON.parse(entry).job.id)).toEqual(slow);
  });
});
