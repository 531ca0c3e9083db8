// Per-queue health with its reasons, the windowed report (p50/p95 from the processing-time
// histogram the acks write), and clean(grace, state) for the completed history and dead letters.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, PermanentError, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("queue health", () => {
  it("is critical with a backlog and no worker, and ok once a worker drains it", async () => {
    const queue = new Queue(queueName("health"), { connection: t.redis });
    await queue.pushBulk([{ type: "x" }, { type: "x" }]);
    const before = await queue.health();
    expect(before.status).toBe("critical");
    expect(before.reasons[0]).toMatch(/no live worker while 2 job\(s\) wait/);
    expect(before.oldestPendingSeconds).toBeGreaterThanOrEqual(0);

    workers.push(createWorker(queue.name, async () => {}, { connection: t.connect() }));
    await waitFor(async () => (await queue.stats()).processed === 2);
    expect(await queue.health()).toMatchObject({ status: "ok", reasons: [], oldestPendingSeconds: null });
  });

  it("names an old waiting job, a high error rate and dead letters", async () => {
    const queue = new Queue(queueName("health-bad"), { connection: t.redis });
    // A job created an hour ago (its own id, so the creation time comes from createdAt).
    await t.redis.rpush(
      queue.keys.pending,
      JSON.stringify({ id: "old", type: "x", data: {}, createdAt: Date.now() - 3_600_000 }),
    );
    const aged = await queue.health({ oldestPendingCriticalSeconds: 10_000 });
    expect(aged.status).toBe("critical"); // no worker
    expect(aged.reasons).toContainEqual(expect.stringMatching(/oldest waiting job is 36\d\ds old/));
    await t.redis.del(queue.keys.pending);

    workers.push(
      createWorker(
        queue.name,
        async (job) => {
          if (job.type === "bad") throw new PermanentError("provider said no");
        },
        { connection: t.connect() },
      ),
    );
    await queue.pushBulk([...Array.from({ length: 6 }, () => ({ type: "bad" })), ...Array(4).fill({ type: "ok" })]);
    await waitFor(async () => (await queue.stats()).dead === 6);
    const health = await queue.health();
    expect(health.status).toBe("critical");
    expect(health.errorRate).toBeCloseTo(0.6);
    expect(health.reasons).toEqual(["error rate 60.0% over 5 min", "6 dead letter(s)"]);
    expect((await queue.health({ errorRateCritical: 0.9, deadWarning: 100 })).status).toBe("warning");
  });
});

describe("job age from ids", () => {
  it("dates jobs by engine and batch job ids, and gives foreign ids that only look alike no age", async () => {
    const queue = new Queue(queueName("health-ids"), { connection: t.redis });
    // A hash, a run of zeros (1970) and a time in 3000: 17 lowercase characters, like an engine id.
    for (const id of ["5f2b9c0e1a7d3b4c8", "00000000000000000", "zzzzzzzzzzzzzzzzz", "b_00000000000000-0"]) {
      await t.redis.rpush(queue.keys.pending, JSON.stringify({ id, type: "x", data: {} }));
      expect((await queue.stats()).nextCreatedAt).toBeNull();
      expect((await queue.health({ oldestPendingWarningSeconds: 60 })).oldestPendingSeconds).toBeNull();
      await t.redis.del(queue.keys.pending);
    }
    const before = Date.now();
    await queue.push({ type: "x" });
    expect((await queue.stats()).nextCreatedAt).toBeGreaterThanOrEqual(before);
    expect((await queue.health()).oldestPendingSeconds).toBeLessThan(60);
  });
});

describe("queue report", () => {
  it("reports processed, failed, p50/p95 processing time and the top errors", async () => {
    const queue = new Queue(queueName("report"), { connection: t.redis });
    workers.push(
      createWorker(
        queue.name,
        async (job) => {
          if (job.type === "slow") await new Promise((resolve) => setTimeout(resolve, 300));
          if (job.type === "bad") throw new PermanentError(`no such user ${job.data.n === 0 ? "a" : "b"}`);
        },
        { connection: t.connect(), concurrency: 20 },
      ),
    );
    await queue.pushBulk([
      ...Array(18).fill({ type: "fast" }),
      ...Array(2).fill({ type: "slow" }),
      { type: "bad", data: { n: 0 } },
      { type: "bad", data: { n: 0 } },
      { type: "bad", data: { n: 1 } },
    ]);
    await waitFor(async () => {
      const s = await queue.stats();
      return s.processed === 20 && s.dead === 3;
    });
    const report = await queue.report({ windowMinutes: 10 });
    expect(report).toMatchObject({ processed: 20, failed: 3, windowMinutes: 10 });
    expect(report.errorRate).toBeCloseTo(3 / 23);
    // 18 of 20 finished quickly, so the median sits in a fast bucket and p95 among the slow ones.
    expect(report.p50Seconds).toBeLessThan(0.25);
    expect(report.p95Seconds).toBeGreaterThanOrEqual(0.25);
    expect(report.topErrors).toEqual([
      { error: "no such user a", count: 2 },
      { error: "no such user b", count: 1 },
    ]);
    const { processingTime } = await queue.stats();
    expect(processingTime.count).toBe(20);
    expect(processingTime.sumSeconds).toBeGreaterThanOrEqual(0.6);
    expect(processingTime.buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 20 });
  });
});

describe("clean(grace, state)", () => {
  it("removes only completed entries and dead letters older than the grace period", async () => {
    const queue = new Queue(queueName("clean"), { connection: t.redis });
    const now = Date.now();
    // Newest first, as the engine writes them.
    const completed = [now, now - 1_000, now - 120_000, now - 600_000].map((at, i) =>
      JSON.stringify({ finishedAt: at, job: { id: `c${i}`, type: "x", data: {}, failedAt: now } }),
    );
    await t.redis.rpush(queue.keys.completed, ...completed);
    const dead = [now - 5_000, now - 90_000].map((at, i) =>
      JSON.stringify({ id: `d${i}`, reason: "failed", error: '"failedAt":1', attempts: 1, failedAt: at }),
    );
    await t.redis.rpush(queue.keys.dlq, ...dead);

    expect(await queue.clean(60_000, "completed")).toBe(2);
    expect(await t.redis.lrange(queue.keys.completed, 0, -1)).toEqual(completed.slice(0, 2));
    expect(await queue.clean(60_000, "dead")).toBe(1);
    expect(await t.redis.lrange(queue.keys.dlq, 0, -1)).toEqual(dead.slice(0, 1));
    expect(await queue.clean(0, "completed", { limit: 1 })).toBe(1);
    expect(await t.redis.llen(queue.keys.completed)).toBe(1);
    // Every entry old: the whole list goes (LTRIM 0 -1 would have kept it).
    expect(await queue.clean(0, "completed")).toBe(1);
    expect(await t.redis.exists(queue.keys.completed)).toBe(0);
    await expect(queue.clean(-1, "dead")).rejects.toThrow(RangeError);
  });
});
