// The seed systems' own keys: jobs pushed there (redis-cli RPUSH queue:email, seed 003's LPUSH)
// reach the queue atomically, in the order their producer meant, with no polling delay, and are
// de-duplicated with the queue's own jobs.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, drain, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let worker: Worker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

const job = (id: string) => JSON.stringify({ id, type: "welcome", to: "test@example.com", data: {}, attempts: 0 });

describe("source lists", () => {
  it("consumes an RPUSH list oldest first while the worker waits on it", async () => {
    const name = queueName("seed4");
    const legacy = `queue:${name}`;
    const order: string[] = [];
    worker = createWorker(name, async (j) => void order.push(j.id), {
      connection: t.connect(),
      concurrency: 1,
      sourceLists: [{ key: legacy, pushedWith: "RPUSH" }],
    });
    await worker.start();
    await t.redis.rpush(legacy, job("a"), job("b"), job("c"));
    await waitFor(() => order.length === 3, { message: "all three run" });
    expect(order).toEqual(["a", "b", "c"]);
    expect(await t.redis.llen(legacy)).toBe(0);
  });

  it("consumes an LPUSH list in the order its producer meant (oldest first)", async () => {
    const name = queueName("seed3");
    const legacy = `${name}_queue`;
    const order: string[] = [];
    worker = createWorker(name, async (j) => void order.push(j.id), {
      connection: t.connect(),
      concurrency: 1,
      sourceLists: [{ key: legacy, pushedWith: "LPUSH" }],
    });
    await worker.start();
    for (const id of ["first", "second", "third"]) await t.redis.lpush(legacy, job(id));
    await waitFor(() => order.length === 3);
    expect(order).toEqual(["first", "second", "third"]);
  });

  it("de-duplicates a job pushed to both the seed key and the queue's own list", async () => {
    const name = queueName("both");
    const queue = new Queue(name, { connection: t.redis });
    const legacy = `queue:${name}`;
    const runs: string[] = [];
    worker = createWorker(name, async (j) => void runs.push(j.id), {
      connection: t.connect(),
      sourceLists: [{ key: legacy, pushedWith: "RPUSH" }],
    });
    await worker.start();
    await t.redis.rpush(queue.keys.pending, job("twice"));
    await waitFor(async () => (await queue.stats()).processed === 1);
    await t.redis.rpush(legacy, job("twice"));
    await waitFor(async () => (await queue.stats()).duplicates === 1, { message: "the seed copy skipped" });
    expect(runs).toEqual(["twice"]);
  });

  it("a drain sweeps the source lists once", async () => {
    const name = queueName("drain");
    const legacy = `queue:${name}`;
    await t.redis.rpush(legacy, job("d1"), job("d2"));
    const result = await drain(name, async () => {}, {
      connection: t.connect(),
      limit: 10,
      sourceLists: [{ key: legacy, pushedWith: "RPUSH" }],
    });
    expect(result).toMatchObject({ processed: 2, remaining: 0 });
    expect(await t.redis.llen(legacy)).toBe(0);
  });
});
