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
});
