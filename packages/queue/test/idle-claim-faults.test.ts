// Faults against the idle path: the claim sent behind the blocking pop on its own connection may
// run long after it was sent, so whatever it was told when it was sent must still hold when it runs.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

/** Address of the connection blocked in BLMOVE, from CLIENT LIST (flag b). */
async function blockedClient(): Promise<string | null> {
  const list = (await t.redis.client("LIST")) as string;
  const line = list.split("\n").find((entry) => / flags=\w*b/.test(entry) && / cmd=blmove/.test(entry));
  return line ? (/ addr=(\S+)/.exec(line)?.[1] ?? null) : null;
}

function counter() {
  const runs = new Map<string, number>();
  return {
    runs,
    add: (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1),
    total: () => [...runs.values()].reduce((a, b) => a + b, 0),
  };
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
      await waitFor(blockedClient, { timeoutMs: 10_000, message: "worker never blocked" });
      await queue.push({ type: "x" }, { id: "dup-1" });
      await waitFor(() => seen.runs.get("dup-1") === 1, { timeoutMs: 10_000, message: "job never started" });
      // It runs; with a slot free the worker blocks again, its claim sent behind the pop in this window.
      await waitFor(async () => (await blockedClient()) !== null, { timeoutMs: 10_000 });
      const sentIn = Math.floor(Date.now() / windowMs);
      await waitFor(() => Math.floor(Date.now() / windowMs) >= sentIn + 2, { timeoutMs: 5_000 });
      release(); // delivered (acked) in a later window than the one the claim was sent in
      await waitFor(async () => (await queue.stats()).processed === 1, { timeoutMs: 10_000 });
      expect(await blockedClient()).not.toBeNull(); // still the same block
      // A copy of the delivered job, pushed again within the window: a duplicate, dropped.
      await t.redis.rpush(queue.keys.pending, JSON.stringify({ id: "dup-1", type: "x", data: {} }));
      await waitFor(async () => (await t.redis.llen(queue.keys.pending)) === 0 && (await blockedClient()) !== null, {
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
});
