import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("global rate limit", () => {
  it("holds across three workers sharing one limit", async () => {
    const name = queueName("limit");
    const queue = new Queue(name, { connection: t.redis });
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      workers.push(
        createWorker(name, async () => void starts.push(Date.now()), {
          connection: t.connect(),
          concurrency: 20,
          limiter: { max: 10, durationMs: 500 },
        }),
      );
    }
    await queue.pushBulk(Array.from({ length: 60 }, () => ({ type: "x" })));
    await waitFor(() => starts.length === 60, { timeoutMs: 10_000 });
    starts.sort((a, b) => a - b);
    // Token bucket: a burst of 10, then 10 per 500 ms. No 500 ms window may see more than 10 + refill.
    for (let i = 0; i < starts.length; i++) {
      const windowEnd = (starts[i] ?? 0) + 500;
      const inWindow = starts.filter((s) => s >= (starts[i] ?? 0) && s < windowEnd).length;
      expect(inWindow).toBeLessThanOrEqual(21);
    }
    const total = (starts.at(-1) ?? 0) - (starts[0] ?? 0);
    // 60 jobs at 20/s after a burst of 10 take at least about 2.5 s.
    expect(total).toBeGreaterThanOrEqual(2_200);
  });

  it("stops every worker while a provider's Retry-After block lasts", async () => {
    const name = queueName("block");
    const queue = new Queue(name, { connection: t.redis });
    const starts: number[] = [];
    const worker = createWorker(name, async () => void starts.push(Date.now()), {
      connection: t.connect(),
      limiter: { max: 100, durationMs: 1_000 },
    });
    workers.push(worker);
    await worker.start();
    const blockedAt = Date.now();
    await worker.limiter?.block(700);
    await queue.push({ type: "x" });
    await waitFor(() => starts.length === 1);
    expect((starts[0] ?? 0) - blockedAt).toBeGreaterThanOrEqual(650);
  });
});
