// What dashboards and the CLI read: stats, series, live workers with their jobs, search, export.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, listQueues, PermanentError, Queue, redisInfo } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("inspection", () => {
  it("finds a job by id or text in every state, lists live workers with their current jobs, and exports", async () => {
    const name = queueName("inspect");
    const queue = new Queue(name, { connection: t.redis });
    let release = () => {};
    const holding = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = createWorker(
      name,
      async (job) => {
        if (job.type === "hold") await holding;
      },
      { connection: t.connect(), concurrency: 2 },
    );
    const { id: heldId } = await queue.push({ type: "hold", to: "held@example.com" });
    await waitFor(async () => (await queue.stats()).active === 1);
    await queue.pause();
    await waitFor(async () => (await queue.isPaused()).paused);
    await new Promise((r) => setTimeout(r, 1_200)); // let every worker see the pause
    const { id: pendingId } = await queue.push({ type: "welcome", to: "ann@example.com", data: { user_name: "Ann" } });
    const { id: delayedId } = await queue.push({ type: "later" }, { delayMs: 60_000 });

    expect((await queue.getJob(heldId))?.state).toBe("active");
    expect((await queue.getJob(pendingId))?.state).toBe("pending");
    const delayed = await queue.getJob(delayedId);
    expect(delayed?.state).toBe("delayed");
    expect(delayed?.at).toBeGreaterThan(Date.now());
    expect(await queue.getJob("missing")).toBeNull();
    const found = await queue.search("ANN@example");
    expect(found.map((f) => f.job?.id)).toEqual([pendingId]);

    const workers = await queue.workers();
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ id: worker.id, pid: process.pid, concurrency: 2, alive: true });
    expect(workers[0]?.jobs.map((j) => j.id)).toEqual([heldId]);

    const peeked = await queue.peek(5);
    expect(peeked.map((p) => p.job?.id)).toEqual([pendingId]);
    const lines: string[] = [];
    for await (const line of queue.export()) lines.push(line);
    expect(lines.map((l) => JSON.parse(l).state).sort()).toEqual(["active", "delayed", "pending"]);

    release();
    await queue.resume();
    await waitFor(async () => (await queue.stats()).processed === 2);
    expect((await queue.getJob(heldId))?.state).toBe("completed");
    const stats = await queue.stats();
    expect(stats).toMatchObject({ name, paused: false, pending: 0, active: 0, delayed: 1, workers: 1, processed: 2 });
    const minutes = await queue.metrics({ minutes: 60 });
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((sum, m) => sum + m.processed, 0)).toBe(2);
    const days = await queue.history({ days: 90 });
    expect(days).toHaveLength(90);
    expect(days.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), processed: 2 });
    await worker.close();
    expect(await queue.workers()).toEqual([]);
    expect(await listQueues(t.redis)).toContain(name);
    const info = await redisInfo(t.redis);
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.usedMemory).toBeGreaterThan(0);
    expect(info.keys).toBeGreaterThan(0);
  });

  it("clears waiting jobs but leaves dead letters", async () => {
    const queue = new Queue(queueName("clear"), { connection: t.redis });
    await queue.pushBulk(Array.from({ length: 10 }, () => ({ type: "x" })));
    await queue.push({ type: "x" }, { delayMs: 60_000 });
    expect(await queue.clear()).toEqual({ removed: 11 });
    expect(await queue.stats()).toMatchObject({ pending: 0, delayed: 0 });
  });
});

describe("listing by state", () => {
  it("pages pending, delayed, dead and completed jobs with totals, and lists recent batches", async () => {
    const name = queueName("pages");
    const queue = new Queue(name, { connection: t.redis });
    const { ids, batchId: first } = await queue.pushBulk(
      Array.from({ length: 30 }, (_, i) => ({ type: "x", data: { i } })),
    );
    // Batches are indexed by creation time in ms: two in the same ms have no order between them.
    await new Promise((r) => setTimeout(r, 5));
    const { batchId: second } = await queue.pushBulk([{ type: "y" }]);
    const later = [300_000, 100_000, 200_000];
    for (const delayMs of later) await queue.push({ type: "later" }, { delayMs });
    const page = await queue.jobs({ state: "pending", offset: 10, limit: 10 });
    expect(page.total).toBe(31);
    expect(page.jobs.map((j) => j.job?.id)).toEqual(ids.slice(10, 20));
    const delayed = await queue.jobs({ state: "delayed" });
    expect(delayed.total).toBe(3);
    expect(delayed.jobs.map((j) => j.at)).toEqual(
      [...(delayed.jobs.map((j) => j.at) as number[])].sort((a, b) => a - b),
    );
    expect((await queue.batches()).map((b) => b.batchId)).toEqual([second, first]);
    const worker = createWorker(
      name,
      async (job) => {
        if (job.type === "y") throw new PermanentError("no y");
      },
      { connection: t.connect() },
    );
    await waitFor(async () => {
      const stats = await queue.stats();
      return stats.processed === 30 && stats.dead === 1;
    });
    await worker.close();
    expect((await queue.jobs({ state: "completed", limit: 5 })).jobs).toHaveLength(5);
    const dead = await queue.jobs({ state: "dead" });
    expect(dead).toMatchObject({ total: 1 });
    expect(dead.jobs[0]).toMatchObject({ state: "dead", error: "no y" });
    expect((await queue.jobs({ state: "active" })).total).toBe(0);
  });
});
