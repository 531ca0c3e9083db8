// Graceful shutdown: stop claiming, finish in-flight jobs, hand back the rest (read-ahead
// included), give up the lease. Regression: read-ahead jobs were once left in a closed worker's
// hash, where no lease would ever expire to rescue them.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { spawnWorker } from "./fixtures/spawn-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis({ appendOnly: true }); // one test restarts the server and needs the data back

describe("graceful close", () => {
  it("finishes running jobs and hands every read-ahead job back, in order", async () => {
    const name = queueName("close");
    const queue = new Queue(name, { connection: t.redis });
    let done = 0;
    const workers = [0, 1].map(() =>
      createWorker(
        name,
        async () => {
          await new Promise((r) => setTimeout(r, 100));
          done++;
        },
        { connection: t.connect(), concurrency: 10 },
      ),
    );
    await Promise.all(workers.map((w) => w.start()));
    const { ids } = await queue.pushBulk(Array.from({ length: 200 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(() => done > 0);
    await Promise.all(workers.map((w) => w.close({ graceMs: 5_000 })));
    const stats = await queue.stats();
    expect(stats.processed + stats.pending).toBe(200);
    expect(stats.processed).toBe(done);
    expect(stats).toMatchObject({ active: 0, workers: 0, dead: 0 });
    expect(await t.redis.keys(`queue:{${name}}:active:*`)).toEqual([]);
    expect(await t.redis.keys(`queue:{${name}}:landing:*`)).toEqual([]);
    expect(new Set([...(await queue.peek(200)).map((p) => p.job?.id)]).size).toBe(stats.pending);
    expect(ids).toHaveLength(200);
  });

  it("keeps the queue's order when one worker hands its read-ahead back", async () => {
    const name = queueName("order");
    const queue = new Queue(name, { connection: t.redis });
    let done = 0;
    const worker = createWorker(
      name,
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        done++;
      },
      { connection: t.connect(), concurrency: 5 },
    );
    await worker.start();
    const { ids } = await queue.pushBulk(Array.from({ length: 50 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(() => done > 0);
    await worker.close();
    const left = (await queue.peek(50)).map((p) => p.job?.id);
    expect(left.length).toBe(50 - done);
    expect(left).toEqual(ids.slice(done));
  });
});

describe("close while Redis is away", () => {
  it("returns within the grace period plus a bounded wait, and the job it held is recovered later", async () => {
    const name = queueName("away");
    const queue = new Queue(name, { connection: t.redis });
    const worker = createWorker(name, () => new Promise<void>(() => {}), { connection: t.connect(), leaseMs: 1_000 });
    await worker.start();
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await queue.stats()).active === 1);
    await t.server.stopProcess();
    const started = Date.now();
    await worker.close({ graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(10_000);
    await t.server.startProcess();
    // The lease was never given up, so another worker recovers the job once it expires.
    const seen: string[] = [];
    const rescuer = createWorker(name, async (job) => void seen.push(job.id), { connection: t.connect() });
    await waitFor(() => seen.includes(id), { timeoutMs: 15_000, message: "held job recovered" });
    await rescuer.close();
  }, 30_000);
});

describe("close with a handler that ignores its abort signal", () => {
  it("keeps the job under the lease (counted in stats), and another worker runs it once the lease expires", async () => {
    const name = queueName("stubborn");
    const queue = new Queue(name, { connection: t.redis });
    const stubborn = createWorker(name, () => new Promise<void>(() => {}), { connection: t.connect(), leaseMs: 1_000 });
    await stubborn.start();
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await queue.stats()).active === 1);
    await stubborn.close({ graceMs: 100 });
    // Regression: the lease was removed here, and the job sat in a hash no live worker ever looks at.
    expect(await t.redis.zscore(queue.keys.workers, stubborn.id)).not.toBeNull();
    await waitFor(async () => (await queue.stats()).awaitingRecovery === 1, { message: "counted while it waits" });
    const seen: string[] = [];
    const rescuer = createWorker(name, async (job) => void seen.push(job.id), { connection: t.connect() });
    await waitFor(() => seen.includes(id), { timeoutMs: 10_000, message: "held job recovered" });
    await rescuer.close();
    expect(await queue.stats()).toMatchObject({ active: 0, awaitingRecovery: 0, recovered: 1, processed: 1 });
  });

  it("a worker process given SIGTERM exits 0 and its unfinished job runs again elsewhere", async () => {
    const name = queueName("sigterm");
    const queue = new Queue(name, { connection: t.redis });
    const env = { REDIS_URL: t.server.url, QUEUE: name, LEASE_MS: "1500" };
    const victim = await spawnWorker({ ...env, MODE: "hang", GRACE_MS: "300" });
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await t.redis.llen(`probe:${name}:starts`)) === 1, { message: "job started" });
    victim.child.kill("SIGTERM");
    expect(await victim.exited).toBe(0);
    expect((await queue.stats()).active).toBe(1);
    const rescuer = await spawnWorker({ ...env, MODE: "record" });
    await waitFor(async () => (await t.redis.hget(`probe:${name}:runs`, id)) === "1", {
      timeoutMs: 15_000,
      message: "job re-run by another process",
    });
    rescuer.child.kill("SIGTERM");
    expect(await rescuer.exited).toBe(0);
    expect(await queue.stats()).toMatchObject({ active: 0, pending: 0, recovered: 1 });
  }, 30_000);
});
