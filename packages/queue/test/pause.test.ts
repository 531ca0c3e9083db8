import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { gatedWorker } from "./fixtures/gated-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("pause and resume", () => {
  it("holds: nothing starts while paused, everything runs after resume, nothing is lost", async () => {
    const name = queueName("pause");
    const queue = new Queue(name, { connection: t.redis });
    let runs = 0;
    for (let i = 0; i < 2; i++) workers.push(createWorker(name, async () => void runs++, { connection: t.connect() }));
    await Promise.all(workers.map((w) => w.start()));
    await queue.pause();
    // Idle workers are blocked on the empty queue when these arrive: the pause must still hold.
    await queue.pushBulk(Array.from({ length: 50 }, () => ({ type: "x" })));
    await queue.push({ type: "x" });
    // Pause is honoured within a heartbeat; give workers two full ones to misbehave.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(runs).toBe(0);
    expect((await queue.stats()).pending).toBe(51);
    await queue.resume();
    await waitFor(async () => (await queue.stats()).processed === 51, { message: "all 51 ran after resume" });
    expect(runs).toBe(51);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, processed: 51 });
  });

  it("hands the read-ahead back as soon as a claim finds the queue paused, not a heartbeat later", async () => {
    const name = queueName("pause-claim");
    const queue = new Queue(name, { connection: t.redis });
    // A 60 s lease beats every 12 s: within this test only a claim can tell the worker.
    const { worker, gates } = gatedWorker(name, t.connect(), { leaseMs: 60_000 });
    workers.push(worker);
    await worker.start();
    const { ids } = await queue.pushBulk(Array.from({ length: 20 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(async () => gates.length === 1 && (await queue.stats()).pending === 13, {
      message: "one running, six read ahead",
    });
    await queue.pause();
    // Two finish: room for a claim, which answers "paused".
    gates[0]?.();
    await waitFor(() => gates.length === 2);
    gates[1]?.();
    await waitFor(async () => (await queue.stats()).pending === 17, {
      timeoutMs: 3_000,
      message: "read-ahead handed back on the claim's word",
    });
    expect((await queue.peek(20)).map((p) => p.job?.id)).toEqual(ids.slice(3));
    gates[2]?.();
  });
});
