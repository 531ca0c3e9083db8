// Faults against the idle path: the claim sent behind the blocking pop on its own connection may
// run long after it was sent, so whatever it was told when it was sent must still hold when it runs.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue, type WorkerOptions } from "../src/index.ts";
import { blockedClient } from "./fixtures/blocked-client.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis({ appendOnly: true });
const isBlocked = () => blockedClient(t.redis);

function counter() {
  const runs = new Map<string, number>();
  return {
    runs,
    add: (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1),
    total: () => [...runs.values()].reduce((a, b) => a + b, 0),
    /** Ids that ran other than once, with their counts: [] when every job ran exactly once. */
    notOnce: () => [...runs.entries()].filter(([, n]) => n !== 1),
  };
}

/** A worker on its own connection whose handler only counts each job's runs. */
function countingWorker(name: string, options: Omit<WorkerOptions, "connection">) {
  const seen = counter();
  const worker = createWorker(name, async (job) => void seen.add(job.id), { connection: t.connect(), ...options });
  return { seen, worker };
}

describe("the claim behind the blocking pop, under faults", () => {
  it("drops a copy delivered in a window that began after the claim was sent (window shorter than the block)", async () => {
    const name = queueName("idle-rollover");
    const queue = new Queue(name, { connection: t.redis });
    const windowMs = 300;
    const seen = counter();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = createWorker(
      name,
      async (job) => {
        seen.add(job.id);
        if (seen.runs.get(job.id) === 1) await gate;
      },
      { connection: t.connect(), concurrency: 2, dedupeWindowMs: windowMs, blockTimeoutSeconds: 10 },
    );
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      await queue.push({ type: "x" }, { id: "dup-1" });
      await waitFor(() => seen.runs.get("dup-1") === 1, { timeoutMs: 10_000, message: "job never started" });
      // It runs; with a slot free the worker blocks again, its claim sent behind the pop in this window.
      await waitFor(async () => (await isBlocked()) !== null, { timeoutMs: 10_000 });
      const sentIn = Math.floor(Date.now() / windowMs);
      await waitFor(() => Math.floor(Date.now() / windowMs) >= sentIn + 2, { timeoutMs: 5_000 });
      release(); // delivered (acked) in a later window than the one the claim was sent in
      await waitFor(async () => (await queue.stats()).processed === 1, { timeoutMs: 10_000 });
      expect(await isBlocked()).not.toBeNull(); // still the same block
      // A copy of the delivered job, pushed again within the window: a duplicate, dropped.
      await t.redis.rpush(queue.keys.pending, JSON.stringify({ id: "dup-1", type: "x", data: {} }));
      await waitFor(async () => (await t.redis.llen(queue.keys.pending)) === 0 && (await isBlocked()) !== null, {
        timeoutMs: 20_000,
        message: "copy never taken",
      });
      const duplicates = async () => Number((await t.redis.hget(queue.keys.stats, "duplicates")) ?? 0);
      await waitFor(async () => (await queue.stats()).processed + (await duplicates()) >= 2, { timeoutMs: 10_000 });
      expect(seen.runs.get("dup-1")).toBe(1);
      expect(await t.redis.hget(queue.keys.stats, "duplicates")).toBe("1");
    } finally {
      release();
      await worker.close();
    }
  });

  /** Nothing left anywhere: pending, prioritized, and every active hash and landing list. */
  async function emptyEverywhere(queue: Queue): Promise<void> {
    expect(await t.redis.llen(queue.keys.pending)).toBe(0);
    expect(await t.redis.zcard(queue.keys.prioritized)).toBe(0);
    expect(await t.redis.keys(queue.keys.active("*"))).toEqual([]);
    expect(await t.redis.keys(queue.keys.landing("*"))).toEqual([]);
  }

  async function burst(queue: Queue, n: number, label: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await queue.push({ type: "x" }, { id: `${label}-${i}` })).id);
    return ids;
  }

  it("a blocked connection killed right after each push loses nothing and runs nothing twice", async () => {
    const name = queueName("idle-kill");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 2,
      blockTimeoutSeconds: 5,
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const addr = await waitFor(isBlocked, { timeoutMs: 15_000, message: "worker never blocked" });
        ids.push((await queue.push({ type: "x" }, { id: `k-${i}` })).id);
        await t.redis.client("KILL", "ADDR", addr as string).catch(() => {});
      }
      await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      await waitFor(async () => (await queue.stats()).processed === ids.length, { timeoutMs: 10_000 });
      expect(seen.notOnce()).toEqual([]);
      await waitFor(async () => (await isBlocked()) !== null, { timeoutMs: 15_000 });
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  });

  it("CLIENT KILL TYPE normal during a burst to an idle worker", async () => {
    const name = queueName("idle-killall");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 1,
      blockTimeoutSeconds: 2,
    });
    try {
      const ids: string[] = [];
      for (let round = 0; round < 5; round++) {
        await waitFor(isBlocked, { timeoutMs: 15_000, message: "worker never blocked" });
        const pushing = burst(queue, 10, `r${round}`);
        await t.redis.client("KILL", "TYPE", "normal", "SKIPME", "yes").catch(() => {});
        ids.push(...(await pushing));
        await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      }
      await waitFor(async () => (await queue.stats()).processed === ids.length, { timeoutMs: 10_000 });
      expect(seen.notOnce()).toEqual([]);
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  });

  it("Redis frozen past the watchdog while the worker is blocked, then a burst", async () => {
    const name = queueName("idle-freeze");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 2,
      blockTimeoutSeconds: 1,
    });
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      const first = await burst(queue, 3, "before");
      await waitFor(() => first.every((id) => seen.runs.has(id)), { timeoutMs: 10_000 });
      await waitFor(isBlocked, { timeoutMs: 10_000 });
      const frozenAt = Date.now();
      t.server.signal("SIGSTOP");
      try {
        await waitFor(() => Date.now() - frozenAt > 7_500, { timeoutMs: 10_000, intervalMs: 100 });
      } finally {
        t.server.signal("SIGCONT");
      }
      const ids = [...first, ...(await burst(queue, 30, "after"))];
      await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      await waitFor(async () => (await queue.stats()).processed === ids.length, { timeoutMs: 10_000 });
      expect(seen.notOnce()).toEqual([]);
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it("pause while blocked holds what is pushed; resume runs it once", async () => {
    const name = queueName("idle-pause");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 2,
      blockTimeoutSeconds: 30,
    });
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      await queue.pause();
      const ids = await burst(queue, 5, "p");
      // The claim behind the pop sees the pause and puts the landed job back.
      await waitFor(async () => (await t.redis.llen(queue.keys.pending)) === 5, { timeoutMs: 10_000 });
      expect(seen.total()).toBe(0);
      await queue.resume();
      await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 15_000, message: "jobs never ran" });
      expect(seen.notOnce()).toEqual([]);
      await waitFor(async () => (await queue.stats()).processed === 5, { timeoutMs: 10_000 });
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  });

  it("a lease expired while blocked: the claim behind the pop takes nothing, the job runs once later", async () => {
    const name = queueName("idle-lease");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 2,
      blockTimeoutSeconds: 30,
    });
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      // Expired by Redis's clock, as if the worker had been frozen: not live for the claim.
      await t.redis.zadd(queue.keys.workers, "XX", 1, worker.id);
      const ids = await burst(queue, 5, "l");
      await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      await waitFor(async () => (await queue.stats()).processed === 5, { timeoutMs: 10_000 });
      expect(seen.notOnce()).toEqual([]);
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  });

  it("Redis restarted (AOF) while the worker is blocked and while pushes land", async () => {
    const name = queueName("idle-restart");
    const queue = new Queue(name, { connection: t.redis });
    const { seen, worker } = countingWorker(name, {
      concurrency: 2,
      blockTimeoutSeconds: 2,
    });
    try {
      const ids: string[] = [];
      for (let round = 0; round < 3; round++) {
        await waitFor(isBlocked, { timeoutMs: 20_000, message: "worker never blocked" });
        const pushing = burst(queue, 10, `s${round}`);
        await t.server.restart({ downMs: 200 });
        ids.push(...(await pushing));
        await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      }
      await waitFor(async () => (await queue.stats()).processed === ids.length, { timeoutMs: 10_000 });
      expect(seen.notOnce()).toEqual([]);
      await emptyEverywhere(queue);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it("a partitioned idle worker with connections killed during a burst", async () => {
    const name = queueName("idle-parts");
    const queue = new Queue(name, { connection: t.redis, partitions: 3 });
    const seen = counter();
    const worker = createWorker(name, async (job) => void seen.add(job.id), {
      connection: t.connect(),
      partitions: 3,
      concurrency: 3,
      blockTimeoutSeconds: 2,
    });
    try {
      const ids: string[] = [];
      for (let round = 0; round < 4; round++) {
        await waitFor(async () => ((await t.redis.client("LIST")) as string).split("cmd=blmove").length - 1 >= 3, {
          timeoutMs: 15_000,
          message: "partitions never all blocked",
        });
        const pushing = Promise.all(Array.from({ length: 15 }, () => queue.push({ type: "x" })));
        await t.redis.client("KILL", "TYPE", "normal", "SKIPME", "yes").catch(() => {});
        ids.push(...(await pushing).map((r) => r.id));
        await waitFor(() => ids.every((id) => seen.runs.has(id)), { timeoutMs: 30_000, message: "jobs lost" });
      }
      expect(seen.notOnce()).toEqual([]);
      for (const part of queue.partitions) await emptyEverywhere(part);
    } finally {
      await worker.close();
    }
  }, 60_000);

  // Without a limiter the claim rides behind the pop; with one, tokens come after it.
  for (const [kind, limiter] of [
    ["an idle worker", undefined],
    ["a rate-limited idle worker", { max: 2, durationMs: 100 }],
  ] as const) {
    it(`${kind} closed while a burst lands hands everything back; a second worker runs each job once`, async () => {
      const name = queueName("idle-close");
      const queue = new Queue(name, { connection: t.redis });
      const seen = counter();
      const run = async (job: { id: string }) => void seen.add(job.id);
      for (let round = 0; round < 5; round++) {
        const first = createWorker(name, run, {
          connection: t.connect(),
          concurrency: 1,
          blockTimeoutSeconds: 5,
          ...(limiter ? { limiter } : {}),
        });
        await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
        const pushing = burst(queue, 10, `c${round}`);
        await first.close({ graceMs: 2_000 });
        await pushing;
      }
      const second = createWorker(name, run, { connection: t.connect(), concurrency: 4 });
      try {
        await waitFor(() => seen.runs.size === 50, { timeoutMs: 20_000, message: "jobs lost" });
        await waitFor(async () => (await queue.stats()).processed === 50, { timeoutMs: 10_000 });
        expect(seen.notOnce()).toEqual([]);
        await emptyEverywhere(queue);
      } finally {
        await second.close();
      }
    });
  }
});
