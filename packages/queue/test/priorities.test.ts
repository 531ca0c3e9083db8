// Priority levels: urgent first, then unprioritized jobs, then levels 1..10 (oldest first within
// a level), as BullMQ orders them. The prioritized lane keeps the claim's guarantees: fenced,
// de-duplicated, and a delayed or retried job returns to its level.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { claimJobs, promoteDelayed } from "../src/scripts.ts";
import { claimArgsFor } from "./fixtures/claim-args.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

const idsIn = async (key: string) =>
  (await t.redis.zrange(key, 0, -1)).map((raw) => (JSON.parse(raw) as { id: string }).id);

describe("priority levels", () => {
  it("runs urgent, then unprioritized, then level 1 to 10 in push order within a level", async () => {
    const name = queueName("prio");
    const queue = new Queue(name, { connection: t.redis });
    const push = async (label: string, options: { priority?: number; urgent?: boolean } = {}) =>
      (await queue.push({ type: label }, { id: label, ...options })).id;
    // Unprioritized first, so the lane is not woken onto an empty pending list.
    await push("plain-1");
    await push("plain-2");
    await push("p10-a", { priority: 10 });
    await push("p1-a", { priority: 1 });
    await push("p5", { priority: 5 });
    await push("p1-b", { priority: 1 });
    await push("p10-b", { priority: 10 });
    await push("otp", { urgent: true, priority: 9 });
    await queue.pushBulk([{ type: "bulk-p3" }, { type: "bulk-p3" }], { priority: 3, track: false });
    const stats = await queue.stats();
    expect(stats.pending).toBe(10);
    expect(stats.prioritized).toBe(7);
    const listed = await queue.jobs({ state: "pending", limit: 4, offset: 2 });
    expect(listed.total).toBe(10);
    expect(listed.jobs.map((j) => j.job?.id)).toEqual(["plain-2", "p1-a", "p1-b", expect.any(String)]);

    const order: string[] = [];
    worker = createWorker(name, async (job) => void order.push(job.type === "bulk-p3" ? "p3" : job.id), {
      connection: t.connect(),
      concurrency: 1,
    });
    await waitFor(() => order.length >= 10, { message: "all ten ran" });
    expect(order).toEqual(["otp", "plain-1", "plain-2", "p1-a", "p1-b", "p3", "p3", "p5", "p10-a", "p10-b"]);
    expect(await t.redis.exists(queue.keys.prioritized)).toBe(0);
  });

  it("wakes a worker blocked on an empty queue: the lane's best job moves onto the pending list", async () => {
    const name = queueName("prio-wake");
    const queue = new Queue(name, { connection: t.redis });
    await queue.push({ type: "x" }, { id: "low", priority: 8 });
    // Nothing else was waiting, so the job sits where a blocking pop sees it.
    expect(await t.redis.lrange(queue.keys.pending, 0, -1)).toHaveLength(1);
    expect(await t.redis.zcard(queue.keys.prioritized)).toBe(0);
    await queue.push({ type: "x" }, { id: "high", priority: 2 });
    expect(await idsIn(queue.keys.prioritized)).toEqual(["high"]);
    await t.redis.del(queue.keys.pending);

    const ran: string[] = [];
    // A block far longer than the wait below: only the wake-up can start the job in time.
    worker = createWorker(name, async (job) => void ran.push(job.id), {
      connection: t.connect(),
      blockTimeoutSeconds: 60,
    });
    await waitFor(() => ran.length === 1, { message: "the lane's job ran" });
    await queue.push({ type: "x" }, { id: "late", priority: 4 });
    await waitFor(() => ran.includes("late"), { message: "a job pushed while the worker was blocked ran" });
  });

  it("a fenced claim leaves the lane alone; a live claim takes it after pending", async () => {
    const queue = new Queue(queueName("prio-fence"), { connection: t.redis });
    await queue.push({ type: "x" }, { id: "first" });
    await queue.push({ type: "x" }, { id: "lane", priority: 1 });
    const args = claimArgsFor(queue, "w1", 10);
    expect(await claimJobs(t.redis, args)).toBe("lease");
    expect(await t.redis.zcard(queue.keys.prioritized)).toBe(1);
    await t.redis.zadd(queue.keys.workers, Date.now() + 60_000, "w1");
    const claimed = await claimJobs(t.redis, args);
    expect(claimed === "lease" || claimed === "paused" ? [] : claimed.map((h) => h.field)).toEqual(["first", "lane"]);
    expect(await t.redis.hkeys(queue.keys.active("w1"))).toEqual(expect.arrayContaining(["first", "lane"]));
  });

  it("a delayed prioritized job is promoted into its level, others onto the pending list", async () => {
    const queue = new Queue(queueName("prio-delay"), { connection: t.redis });
    await queue.push({ type: "x" }, { id: "blocker" });
    await queue.push({ type: "x" }, { id: "p5", priority: 5 });
    await queue.push({ type: "x" }, { id: "later-p3", priority: 3, delayMs: 60_000 });
    await queue.push({ type: "x", data: { priority: 1 } }, { id: "later-plain", delayMs: 60_000 });
    const { promoted } = await promoteDelayed(t.redis, {
      delayed: queue.keys.delayed,
      pending: queue.keys.pending,
      prioritized: queue.keys.prioritized,
      now: Date.now() + 120_000,
      limit: 100,
    });
    expect(promoted).toBe(2);
    expect(await idsIn(queue.keys.prioritized)).toEqual(["later-p3", "p5"]);
    const pending = (await t.redis.lrange(queue.keys.pending, 0, -1)).map((raw) => JSON.parse(raw).id);
    expect(pending).toEqual(["blocker", "later-plain"]);
  });

  it("keeps idempotency for prioritized pushes and refuses a level outside 1-10", async () => {
    const queue = new Queue(queueName("prio-idem"), { connection: t.redis });
    await queue.push({ type: "x" }, { id: "blocker" });
    const first = await queue.push({ type: "x" }, { priority: 2, idempotencyKey: "k1" });
    const again = await queue.push({ type: "x" }, { priority: 2, idempotencyKey: "k1" });
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(await idsIn(queue.keys.prioritized)).toEqual([first.id]);
    for (const priority of [0, 11, 2.5, Number.NaN]) {
      await expect(queue.push({ type: "x" }, { priority })).rejects.toThrow(RangeError);
    }
    // A foreign producer's envelope with a bad level is dead-lettered with the reason, not run.
    await t.redis.rpush(queue.keys.pending, JSON.stringify({ id: "bad", type: "x", data: {}, priority: 99 }));
    worker = createWorker(queue.name, async () => {}, { connection: t.connect() });
    await waitFor(async () => (await queue.stats()).dead === 1, { message: "the bad envelope was dead-lettered" });
  });
});
