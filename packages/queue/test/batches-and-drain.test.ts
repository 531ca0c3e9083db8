// Batch progress (seeds 002/003) and drain mode for cron or serverless runs (seeds 000/001).
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, drain, PermanentError, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("batches", () => {
  it("reports total, done, failed and pending of a batch as it is worked off", async () => {
    const name = queueName("batch");
    const queue = new Queue(name, { connection: t.redis });
    const { batchId, count } = await queue.pushBulk(
      Array.from({ length: 250 }, (_, i) => ({ type: i % 50 === 0 ? "bad" : "ok", data: { i } })),
      { chunkSize: 100 },
    );
    expect(count).toBe(250);
    expect(await queue.batch(batchId)).toMatchObject({ total: 250, done: 0, failed: 0, pending: 250 });
    const worker = createWorker(
      name,
      async (job) => {
        if (job.type === "bad") throw new PermanentError("bad");
      },
      { connection: t.connect() },
    );
    await waitFor(async () => (await queue.batch(batchId))?.pending === 0);
    expect(await queue.batch(batchId)).toMatchObject({ total: 250, done: 245, failed: 5, pending: 0 });
    expect(await queue.batch("no-such-batch")).toBeNull();
    await worker.close();
  });

  it("knows no layer's vocabulary: other fields of the batch hash are passed on as counters", async () => {
    const name = queueName("batch-counters");
    const queue = new Queue(name, { connection: t.redis });
    const { batchId } = await queue.pushBulk([{ type: "ok" }, { type: "ok" }]);
    const bare = await queue.batch(batchId);
    expect(bare).toMatchObject({ total: 2, pending: 2, counters: {} });
    expect(bare).not.toHaveProperty("delivered");
    // A layer on top (the email events) counts into the same hash.
    await t.redis.hincrby(queue.keys.batch(batchId), "delivered", 2);
    await t.redis.hset(queue.keys.batch(batchId), "note", "not a number");
    expect((await queue.batch(batchId))?.counters).toEqual({ delivered: 2 });
  });
});

describe("drain mode", () => {
  it("processes at most `limit` jobs, then stops and reports what happened", async () => {
    const name = queueName("drain");
    const queue = new Queue(name, { connection: t.redis });
    await queue.pushBulk(Array.from({ length: 30 }, (_, i) => ({ type: i < 2 ? "bad" : "ok" })));
    const handler = async (job: { type: string }) => {
      if (job.type === "bad") throw new PermanentError("bad");
    };
    const first = await drain(name, handler, { connection: t.connect(), limit: 20, concurrency: 5 });
    expect(first).toMatchObject({ processed: 18, deadLettered: 2, remaining: 10 });
    const second = await drain(name, handler, { connection: t.connect(), limit: 50 });
    expect(second).toMatchObject({ processed: 10, deadLettered: 0, remaining: 0 });
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, workers: 0, processed: 28, dead: 2 });
  });
});

describe("untracked bulk push", () => {
  it("pushes without a batch record when track is false", async () => {
    const queue = new Queue(queueName("untracked"), { connection: t.redis });
    const result = await queue.pushBulk([{ type: "a" }, { type: "b" }], { track: false });
    expect(result).toMatchObject({ batchId: "", count: 2 });
    expect((await queue.peek(2)).map((p) => p.job?.batchId)).toEqual([undefined, undefined]);
    expect(await t.redis.keys(`queue:{${queue.name}}:batch:*`)).toEqual([]);
  });
});
