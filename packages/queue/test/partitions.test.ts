// Partitioned queues on one standalone Redis: routing, the summed logical view, and every
// per-queue guarantee (recovery, dead letters, pause) holding in each partition.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorker,
  listQueues,
  MAX_PARTITIONS,
  PartitionCountError,
  type PartitionedWorker,
  PermanentError,
  partitionFor,
  partitionNames,
  Queue,
  slotOf,
} from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: PartitionedWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 1_000 })));
});

const pendingPer = (queue: Queue) => Promise.all(queue.partitions.map((part) => t.redis.llen(part.keys.pending)));

describe("partition names", () => {
  it("keeps the logical name as partition 0 and gives every partition a slot range of its own", () => {
    for (const count of [2, 3, 4, 8]) {
      const names = partitionNames("email", count);
      expect(names[0]).toBe("email");
      expect(new Set(names).size).toBe(count);
      const ranges = names.map((name) => Math.floor((slotOf(name) * count) / 16_384));
      expect(new Set(ranges).size).toBe(count);
      // Every process computes the same names.
      expect(partitionNames("email", count)).toEqual(names);
    }
    expect(partitionNames("email", 1)).toEqual(["email"]);
  });

  it("refuses counts and names it cannot serve", () => {
    expect(() => partitionNames("email", 0)).toThrow(RangeError);
    expect(() => partitionNames("email", MAX_PARTITIONS + 1)).toThrow(RangeError);
    expect(() => partitionNames("email", 1.5)).toThrow(RangeError);
    expect(() => partitionNames("x".repeat(60), 3)).toThrow(/at most 56/);
    expect(() => new Queue("email", { connection: t.redis, partitions: -1 })).toThrow(RangeError);
  });

  it("routes a key to the same partition every time", () => {
    const first = partitionFor("user-42", 8);
    expect(partitionFor("user-42", 8)).toBe(first);
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionFor(`id-${i}`, 8)));
    expect(spread.size).toBe(8);
  });
});

describe("a queue over three partitions", () => {
  it("spreads id-less jobs evenly and sends one key's jobs to one partition", async () => {
    const queue = new Queue(queueName("spread"), { connection: t.redis, partitions: 3 });
    for (let i = 0; i < 30; i++) await queue.push({ type: "t" });
    expect(await pendingPer(queue)).toEqual([10, 10, 10]);
    await queue.clear();
    for (let i = 0; i < 5; i++) await queue.push({ type: "t", data: { n: i } }, { partitionKey: "order-7" });
    const per = await pendingPer(queue);
    expect(per.filter((n) => n === 5)).toHaveLength(1);
    expect(per.reduce((a, b) => a + b, 0)).toBe(5);
    // FIFO per key: the partition holds them in push order.
    const target = queue.partitions[partitionFor("order-7", 3)] as Queue;
    expect((await target.peek(5)).map((found) => found.job?.data.n)).toEqual([0, 1, 2, 3, 4]);
    // An idempotency key meets itself in its partition, so the duplicate is still caught.
    expect((await queue.push({ type: "t" }, { idempotencyKey: "once" })).duplicate).toBe(false);
    expect((await queue.push({ type: "t" }, { idempotencyKey: "once" })).duplicate).toBe(true);
  });

  it("spreads group-committed jobs (the API's email.send path) over every partition", async () => {
    const name = queueName("group");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    const ids = await Promise.all(Array.from({ length: 30 }, () => queue.groupCommit().push({ type: "t" })));
    expect(new Set(ids).size).toBe(30);
    expect(await pendingPer(queue)).toEqual([10, 10, 10]);
    expect((await Queue.open(name, { connection: t.redis })).partitions).toHaveLength(3);
  });

  it("delivers a bulk batch from every partition and reports it as one queue and one batch", async () => {
    const name = queueName("bulk");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    const { batchId, ids } = await queue.pushBulk(Array.from({ length: 90 }, (_, i) => ({ type: "t", data: { i } })));
    expect(new Set(ids).size).toBe(90);
    expect(await pendingPer(queue)).toEqual([30, 30, 30]);
    expect(await queue.stats()).toMatchObject({ name, pending: 90, processed: 0 });
    expect(await queue.peek(4)).toHaveLength(4);
    expect((await queue.jobs({ state: "pending", offset: 25, limit: 10 })).jobs).toHaveLength(10);
    expect((await queue.jobs({ state: "pending" })).total).toBe(90);
    const seen = new Set<string>();
    const worker = createWorker(name, async (job) => void seen.add(job.id), {
      connection: t.connect(),
      partitions: 3,
      concurrency: 9,
    });
    workers.push(worker);
    expect(worker.workers).toHaveLength(3);
    expect(worker.concurrency).toBe(9);
    await waitFor(async () => (await queue.stats()).processed === 90, { message: "all 90 processed" });
    expect(seen).toEqual(new Set(ids));
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, workers: 3 });
    expect(await queue.batch(batchId)).toMatchObject({ total: 90, done: 90, pending: 0 });
    expect((await queue.batches()).map((b) => b.batchId)).toEqual([batchId]);
    expect(await queue.workers()).toHaveLength(3);
    // Admin and CLI list the logical queue, not its partitions.
    const listed = await listQueues(t.redis);
    expect(listed).toContain(name);
    expect(listed.filter((n) => n.startsWith(`${name}.`))).toEqual([]);
    expect((await Queue.open(name, { connection: t.redis })).partitions).toHaveLength(3);
  });

  it("refuses a producer or worker with another partition count", async () => {
    const name = queueName("count");
    await new Queue(name, { connection: t.redis, partitions: 3 }).push({ type: "t" });
    await expect(new Queue(name, { connection: t.redis, partitions: 2 }).push({ type: "t" })).rejects.toThrow(
      PartitionCountError,
    );
    const worker = createWorker(name, async () => {}, { connection: t.connect(), partitions: 4, autostart: false });
    await expect(worker.start()).rejects.toThrow(PartitionCountError);
  });

  it("recovers a dead worker's jobs in each partition, counting the attempt", async () => {
    const name = queueName("rescue");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    for (const [i, part] of queue.partitions.entries()) {
      const payload = JSON.stringify({ id: `job-${i}`, type: "x", data: {}, attempts: 0 });
      await t.redis.zadd(part.keys.workers, Date.now() - 1, "dead-1");
      await t.redis.hset(part.keys.active("dead-1"), `job-${i}`, payload);
    }
    const seen: { id: string; attempts: number }[] = [];
    workers.push(
      createWorker(name, async (job) => void seen.push({ id: job.id, attempts: job.attempts }), {
        connection: t.connect(),
        partitions: 3,
      }),
    );
    await waitFor(() => seen.length === 3, { message: "every partition's dead worker rescued" });
    expect(seen.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "job-0", attempts: 1 },
      { id: "job-1", attempts: 1 },
      { id: "job-2", attempts: 1 },
    ]);
    expect((await queue.stats()).recovered).toBe(3);
  });

  it("dead-letters per partition and retries them through the logical queue", async () => {
    const name = queueName("dead");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    let fail = true;
    const ran: string[] = [];
    workers.push(
      createWorker(
        name,
        async (job) => {
          if (fail) throw new PermanentError(`bad ${job.id}`);
          ran.push(job.id);
        },
        { connection: t.connect(), partitions: 3 },
      ),
    );
    await queue.pushBulk(Array.from({ length: 6 }, () => ({ type: "t" })));
    await waitFor(async () => (await queue.dlq.count()) === 6, { message: "six dead letters" });
    const perPartition = await Promise.all(queue.partitions.map((part) => t.redis.llen(part.keys.dlq)));
    expect(perPartition).toEqual([2, 2, 2]);
    const page = await queue.dlq.list({ offset: 1, limit: 4 });
    expect(page.total).toBe(6);
    expect(page.entries).toHaveLength(4);
    const one = page.entries[0];
    expect(one && (await queue.dlq.get(one.id))?.id).toBe(one?.id);
    expect(await queue.stats()).toMatchObject({ dead: 6, deadLettered: 6 });
    fail = false;
    expect(await queue.dlq.retryAll()).toBe(6);
    await waitFor(() => ran.length === 6, { message: "retried dead letters ran" });
    expect(await queue.dlq.count()).toBe(0);
  });

  it("drains a limited number of jobs from every partition and stops", async () => {
    const name = queueName("drain");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    await queue.pushBulk(Array.from({ length: 12 }, () => ({ type: "t" })));
    const worker = createWorker(name, async () => {}, { connection: t.connect(), partitions: 3, autostart: false });
    const result = await worker.drain(6);
    expect(result).toMatchObject({ processed: 6, remaining: 6 });
    expect(await pendingPer(queue)).toEqual([2, 2, 2]);
  });

  it("pauses and resumes every partition", async () => {
    const name = queueName("pause");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    await queue.pause("maintenance");
    expect(await queue.isPaused()).toMatchObject({ paused: true, reason: "maintenance" });
    expect(await Promise.all(queue.partitions.map(async (part) => (await part.isPaused()).paused))).toEqual([
      true,
      true,
      true,
    ]);
    await queue.resume();
    expect((await queue.stats()).paused).toBe(false);
  });
});
