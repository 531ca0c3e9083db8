// close() called while the claim loop reconciles its active hash (after a
// connection cut) must still hand the read-ahead back in queue order.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { gatedWorker } from "./fixtures/gated-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("close during a reconcile", () => {
  it("hands the read-ahead back in queue order", async () => {
    const name = queueName("close-reconcile");
    const queue = new Queue(name, { connection: t.redis });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const worker = createWorker(
      name,
      async () => {
        started++;
        await gate;
      },
      { connection: t.connect(), concurrency: 1, prefetch: 6 },
    );
    await worker.start();
    const { ids } = await queue.pushBulk(Array.from({ length: 20 }, (_, i) => ({ type: "x", data: { i } })));
    // One running, six read ahead.
    await waitFor(async () => started === 1 && (await t.redis.hlen(`queue:{${name}}:active:${worker.id}`)) === 7);
    await sleep(200);
    // Cut the worker's connection (it must reconcile), then freeze Redis so the reconcile hangs.
    await t.redis.client("KILL", "SKIPME", "yes");
    t.server.signal("SIGSTOP");
    await sleep(1_500); // the loop's 1 s idle ends and the reconcile's first command goes out
    const closing = worker.close({ graceMs: 5_000 });
    t.server.signal("SIGCONT");
    await sleep(300);
    release();
    await closing;
    const left = (await queue.peek(50)).map((p) => p.job?.id);
    expect(left).toEqual(ids.slice(1));
    expect(await t.redis.keys(`queue:{${name}}:active:*`)).toEqual([]);
  }, 30_000);
});

describe("close while a reconcile waits for a claim underway", () => {
  it("hands the read-ahead (and the claim's jobs) back in queue order", async () => {
    const name = queueName("close-settle");
    const queue = new Queue(name, { connection: t.redis });
    const { worker, gates } = gatedWorker(name, t.connect());
    await worker.start();
    const { ids } = await queue.pushBulk(Array.from({ length: 20 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(async () => gates.length === 1 && (await t.redis.hlen(`queue:{${name}}:active:${worker.id}`)) === 7);
    await sleep(200);
    // Cut while idle (no reply lost, so no real strangers), then freeze Redis.
    await t.redis.client("KILL", "SKIPME", "yes");
    await sleep(100);
    t.server.signal("SIGSTOP");
    // Two jobs finish: room for a third of the read-ahead, so a claim goes out ahead (and hangs).
    gates[0]?.();
    await waitFor(() => gates.length === 2);
    gates[1]?.();
    await waitFor(() => gates.length === 3);
    await sleep(1_200); // the loop sees needsReconcile and waits in settle() for the claim underway
    const closing = worker.close({ graceMs: 5_000 });
    t.server.signal("SIGCONT");
    await sleep(300);
    gates[2]?.();
    await closing;
    const left = (await queue.peek(50)).map((p) => p.job?.id);
    expect(left).toEqual(ids.slice(3));
    expect(await t.redis.keys(`queue:{${name}}:active:*`)).toEqual([]);
  }, 30_000);
});
