// A worker whose lease was taken away while it was alive (heartbeats did not reach Redis in time)
// must not go on running jobs that the rescuing worker now owns.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("lost lease", () => {
  it("drops its read-ahead, aborts its running jobs and leaves them to the rescuer", async () => {
    const name = queueName("lease");
    const queue = new Queue(name, { connection: t.redis });
    const runs = new Map<string, number>();
    let aborted = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = createWorker(
      name,
      async (job, ctx) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        ctx.signal.addEventListener("abort", () => aborted++);
        await gate;
      },
      { connection: t.connect(), concurrency: 2, heartbeatMs: 200 },
    );
    await worker.start();
    await queue.pushBulk(Array.from({ length: 6 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(() => runs.size === 2, { message: "two running, four read ahead" });
    // What a rescuer does to an expired worker: take its lease and everything it holds.
    const held = await t.redis.hgetall(queue.keys.active(worker.id));
    expect(Object.keys(held)).toHaveLength(6);
    await t.redis.multi().zrem(queue.keys.workers, worker.id).del(queue.keys.active(worker.id)).exec();
    await waitFor(() => aborted === 2, { message: "running jobs aborted on the next heartbeat" });
    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(runs.size).toBe(2); // the four read-ahead jobs were not started here
    await worker.close();
    expect((await queue.stats()).processed).toBe(0); // acks of jobs that were no longer ours count nothing
    // ...but they did run: a copy queued again (as recovery would) is skipped, not run twice.
    const [ranHere] = [...runs.keys()];
    await t.redis.rpush(queue.keys.pending, JSON.stringify({ id: ranHere, type: "x", data: {} }));
    const again: string[] = [];
    const rescuer = createWorker(name, async (job) => void again.push(job.id), { connection: t.connect() });
    await waitFor(async () => (await queue.stats()).duplicates === 1, { message: "requeued copy skipped" });
    await rescuer.close();
    expect(again).not.toContain(ranHere);
  });
});
