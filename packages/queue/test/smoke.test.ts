import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, type Job, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("push and process", () => {
  it("delivers pushed jobs once each and counts them", async () => {
    const name = queueName("smoke");
    const queue = new Queue(name, { connection: t.redis });
    const seen: string[] = [];
    const worker = createWorker(
      name,
      async (job: Job) => {
        seen.push(job.id);
      },
      { connection: t.connect(), concurrency: 5 },
    );
    const { ids } = await queue.pushBulk(Array.from({ length: 200 }, (_, i) => ({ type: "noop", data: { i } })));
    await waitFor(async () => (await queue.stats()).processed === 200, { message: "200 processed" });
    await worker.close();
    expect(seen.sort()).toEqual([...ids].sort());
    const stats = await queue.stats();
    expect(stats).toMatchObject({ pending: 0, active: 0, dead: 0, processed: 200 });
  });

  it("claims and acks more jobs in one call than Lua can unpack at once, and skips them all when pushed again", async () => {
    const name = queueName("wide");
    const queue = new Queue(name, { connection: t.redis });
    const total = 9_000; // Lua's unpack() stops near 8,000 values
    const envelopes = Array.from({ length: total }, (_, i) => JSON.stringify({ id: `w-${i}`, type: "x", data: {} }));
    await t.redis.rpush(queue.keys.pending, ...envelopes);
    const seen = new Set<string>();
    // One claim of 9,000 and acks of thousands at once: past the scripts' 1,000-value slices.
    const worker = createWorker(name, async (job) => void seen.add(job.id), {
      connection: t.connect(),
      concurrency: total,
      prefetch: 0,
    });
    await waitFor(async () => (await queue.stats()).processed === total, { message: "all processed" });
    await t.redis.rpush(queue.keys.pending, ...envelopes);
    await waitFor(async () => (await queue.stats()).duplicates === total, { message: "all skipped" });
    await worker.close();
    expect(seen.size).toBe(total);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, processed: total });
  });
});
