// Batch progress (seeds 002/003) and drain mode for cron or serverless runs (seeds 000/001).
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, drain, jobCreatedAt, PermanentError, Queue } from "../src/index.ts";
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

describe("batch job ids", () => {
  it("names a batch's jobs after it, so waiting jobs carry no batchId, and still counts them to it", async () => {
    const name = queueName("batch-ids");
    const queue = new Queue(name, { connection: t.redis });
    const before = Date.now();
    const { batchId, ids } = await queue.pushBulk(
      Array.from({ length: 40 }, (_, i) => ({ type: i === 7 ? "bad" : "ok", data: { i } })),
      { chunkSize: 15 },
    );
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => `${batchId}-${i.toString(36)}`));
    const stored = await t.redis.lrange(queue.keys.pending, 0, -1);
    expect(stored.filter((raw) => raw.includes('"batchId"'))).toEqual([]);
    const [first] = await queue.peek(1);
    expect(first?.job).toMatchObject({ id: ids[0], batchId });
    // The batch id dates its jobs, as an engine-made job id does.
    const createdAt = jobCreatedAt({ id: ids[0] as string }) ?? 0;
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());

    const seenBatch = new Set<string | undefined>();
    const worker = createWorker(
      name,
      async (job) => {
        seenBatch.add(job.batchId);
        if (job.type === "bad") throw new PermanentError("bad");
      },
      { connection: t.connect() },
    );
    await waitFor(async () => (await queue.batch(batchId))?.pending === 0, { message: "batch worked off" });
    expect(await queue.batch(batchId)).toMatchObject({ total: 40, done: 39, failed: 1 });
    expect(seenBatch).toEqual(new Set([batchId]));
    const completed = await queue.jobs({ state: "completed", limit: 5 });
    expect(completed.jobs.map((found) => found.job?.batchId)).toEqual(Array(5).fill(batchId));
    expect((await queue.dlq.list()).entries[0]?.job).toMatchObject({ id: ids[7], batchId });
    await worker.close();
  });

  it("numbers an opened batch's jobs across its pushes, on one queue and over partitions", async () => {
    for (const partitions of [1, 3]) {
      const name = queueName(`batch-open-${partitions}`);
      const queue = new Queue(name, { connection: t.redis, partitions });
      const batch = queue.openBatch();
      const first = await batch.pushBulk(Array.from({ length: 7 }, () => ({ type: "ok" })));
      const later = await batch.pushBulk(
        Array.from({ length: 5 }, () => ({ type: "ok" })),
        { delayMs: 50 },
      );
      const ids = [...first.ids, ...later.ids];
      expect(new Set(ids).size).toBe(12);
      expect(ids.every((id) => id.startsWith(`${batch.batchId}-`))).toBe(true);
      expect(first.batchId).toBe(batch.batchId);
      const worker = createWorker(name, async () => {}, { connection: t.connect(), partitions });
      await waitFor(async () => (await queue.batch(batch.batchId))?.done === 12, { message: "all twelve counted" });
      expect(await queue.batch(batch.batchId)).toMatchObject({ total: 12, done: 12, pending: 0 });
      await worker.close();
    }
  });

  it("dates a batch job at the head of the queue from its id, even one too large to parse there", async () => {
    const before = Date.now();
    for (const data of [{ small: true }, { blob: "x".repeat(70 * 1024) }]) {
      const queue = new Queue(queueName("batch-head"), { connection: t.redis });
      await queue.pushBulk([{ type: "ok", data }]);
      expect((await queue.stats()).nextCreatedAt).toBeGreaterThanOrEqual(before);
    }
  });

  it("keeps the batchId field when the caller names the batch, which may be pushed to again", async () => {
    const name = queueName("batch-named");
    const queue = new Queue(name, { connection: t.redis });
    const first = await queue.pushBulk([{ type: "ok" }, { type: "ok" }]);
    const again = await queue.pushBulk([{ type: "ok" }, { type: "ok" }], { batchId: first.batchId });
    expect(new Set([...first.ids, ...again.ids]).size).toBe(4);
    const stored = await t.redis.lrange(queue.keys.pending, 2, -1);
    expect(stored.map((raw) => JSON.parse(raw).batchId)).toEqual([first.batchId, first.batchId]);
    const worker = createWorker(name, async () => {}, { connection: t.connect() });
    await waitFor(async () => (await queue.batch(first.batchId))?.done === 4, { message: "all four counted" });
    expect(await queue.batch(first.batchId)).toMatchObject({ total: 4, done: 4, pending: 0 });
    await worker.close();
  });

  it("counts a job whose id names a batch to it, whoever pushed the envelope", async () => {
    const name = queueName("batch-foreign");
    const queue = new Queue(name, { connection: t.redis });
    const { batchId } = await queue.pushBulk([{ type: "ok" }]);
    // Another producer (seed 004's Python) writes the envelope itself, with an id of the batch's form.
    await t.redis.rpush(queue.keys.pending, JSON.stringify({ id: `${batchId}-zz`, type: "ok", data: {} }));
    await t.redis.hincrby(queue.keys.batch(batchId), "total", 1);
    const worker = createWorker(name, async () => {}, { connection: t.connect() });
    await waitFor(async () => (await queue.batch(batchId))?.done === 2, { message: "both counted" });
    await worker.close();
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
