// A job that was delivered is not delivered again when pushed twice or re-run; producers can pass
// their own idempotency key.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("idempotency", () => {
  it("enqueues once per idempotency key and returns the first job's id", async () => {
    const queue = new Queue(queueName("idem"), { connection: t.redis });
    const first = await queue.push({ type: "x" }, { idempotencyKey: "order-42" });
    const second = await queue.push({ type: "x" }, { idempotencyKey: "order-42" });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ id: first.id, duplicate: true });
    expect((await queue.stats()).pending).toBe(1);
  });

  it("skips a job id that was already delivered when it is pushed again, and counts it", async () => {
    const name = queueName("dup");
    const queue = new Queue(name, { connection: t.redis });
    const runs: string[] = [];
    workers.push(createWorker(name, async (job) => void runs.push(job.id), { connection: t.connect() }));
    await queue.push({ type: "x" }, { id: "welcome-user-7" });
    await waitFor(async () => (await queue.stats()).processed === 1);
    await queue.push({ type: "x" }, { id: "welcome-user-7" });
    await queue.push({ type: "x" }, { id: "other" });
    await waitFor(async () => (await queue.stats()).processed === 2);
    expect(runs).toEqual(["welcome-user-7", "other"]);
    expect((await queue.stats()).duplicates).toBe(1);
  });

  it("runs a job pushed again while its first copy still runs on the same worker only once", async () => {
    const name = queueName("held-twice");
    const queue = new Queue(name, { connection: t.redis });
    const runs: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = createWorker(
      name,
      async (job) => {
        runs.push(job.id);
        await gate;
      },
      { connection: t.connect(), concurrency: 2 },
    );
    workers.push(worker);
    await queue.push({ type: "x" }, { id: "receipt-9" });
    await waitFor(() => runs.length === 1, { message: "first copy running" });
    await queue.push({ type: "x" }, { id: "receipt-9" });
    await waitFor(async () => (await queue.stats()).duplicates === 1, { message: "second copy dropped" });
    release();
    await waitFor(async () => (await queue.stats()).processed === 1);
    expect(runs).toEqual(["receipt-9"]);
    expect(await t.redis.hlen(queue.keys.active(worker.id))).toBe(0);
  });

  it("runs the same id twice in one claim only once", async () => {
    const name = queueName("claim-twice");
    const queue = new Queue(name, { connection: t.redis });
    const envelope = (id: string) => JSON.stringify({ id, type: "x", data: {} });
    await t.redis.rpush(queue.keys.pending, envelope("same"), envelope("same"), envelope("other"));
    const runs: string[] = [];
    workers.push(createWorker(name, async (job) => void runs.push(job.id), { connection: t.connect() }));
    await waitFor(async () => (await queue.stats()).processed === 2);
    expect(runs.sort()).toEqual(["other", "same"]);
    expect((await queue.stats()).duplicates).toBe(1);
  });

  it("frees the delivered-id set of two windows back without waiting for its TTL", async () => {
    const name = queueName("stale-done");
    const queue = new Queue(name, { connection: t.redis });
    const windowMs = 60_000;
    const stale = queue.keys.done(Math.floor(Date.now() / windowMs) - 2);
    await t.redis.sadd(stale, "old-1", "old-2");
    await t.redis.expire(stale, 3_600);
    workers.push(createWorker(name, async () => {}, { connection: t.connect(), dedupeWindowMs: windowMs }));
    await waitFor(async () => (await t.redis.exists(stale)) === 0, { message: "stale set unlinked" });
  });
});
