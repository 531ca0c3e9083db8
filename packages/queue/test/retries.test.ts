// Failure handling: retryable errors back off through the delayed set, permanent ones and
// exhausted attempts go to the dead-letter list with error, attempts and timestamps.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, HaltQueueError, PermanentError, Queue, RetryableError, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("retries and dead letters", () => {
  it("retries a failing job with backoff and succeeds on the third run", async () => {
    const name = queueName("retry");
    const queue = new Queue(name, { connection: t.redis });
    const runs: { attempt: number; at: number }[] = [];
    workers.push(
      createWorker(
        name,
        async (_job, ctx) => {
          runs.push({ attempt: ctx.attempt, at: Date.now() });
          if (ctx.attempt < 3) throw new Error("smtp timeout");
        },
        { connection: t.connect(), backoff: { type: "exponential", delayMs: 100 } },
      ),
    );
    await queue.push({ type: "x" });
    await waitFor(async () => (await queue.stats()).processed === 1, { message: "processed after retries" });
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    // Exponential with +-25% jitter: about 100 ms then about 200 ms.
    expect((runs[1]?.at ?? 0) - (runs[0]?.at ?? 0)).toBeGreaterThanOrEqual(75);
    expect((runs[2]?.at ?? 0) - (runs[1]?.at ?? 0)).toBeGreaterThanOrEqual(150);
    const stats = await queue.stats();
    expect(stats).toMatchObject({ retried: 2, dead: 0, delayed: 0 });
    const failures = await queue.recentFailures(5);
    expect(failures[0]).toMatchObject({ error: "smtp timeout", final: false });
  });

  it("dead-letters a job whose attempts are exhausted, keeping job, error, attempts and time", async () => {
    const name = queueName("exhaust");
    const queue = new Queue(name, { connection: t.redis });
    workers.push(
      createWorker(name, async () => Promise.reject(new Error("503 from provider")), {
        connection: t.connect(),
        backoff: { type: "fixed", delayMs: 10 },
        maxAttempts: 3,
      }),
    );
    const { id } = await queue.push({ type: "x", to: "a@example.com", data: { n: 1 } });
    await waitFor(async () => (await queue.stats()).dead === 1);
    const dead = await queue.dlq.get(id);
    expect(dead).toMatchObject({ id, reason: "exhausted", error: "503 from provider", attempts: 3, queue: name });
    expect(dead?.job).toMatchObject({
      id,
      to: "a@example.com",
      data: { n: 1 },
      attempts: 3,
      lastError: "503 from provider",
    });
    expect(dead?.failedAt).toBeGreaterThan(Date.now() - 10_000);
    expect((await queue.stats()).failed).toBe(1);
  });

  it("dead-letters a permanent error at once, with its reason", async () => {
    const name = queueName("perm");
    const queue = new Queue(name, { connection: t.redis });
    let runs = 0;
    workers.push(
      createWorker(
        name,
        async () => {
          runs++;
          throw new PermanentError("recipient is suppressed", { reason: "suppressed" });
        },
        { connection: t.connect() },
      ),
    );
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await queue.dlq.get(id)) !== null);
    expect(runs).toBe(1);
    expect(await queue.dlq.get(id)).toMatchObject({ reason: "suppressed", attempts: 1 });
  });

  it("waits at least the Retry-After a provider asked for", async () => {
    const name = queueName("after");
    const queue = new Queue(name, { connection: t.redis });
    const runs: number[] = [];
    workers.push(
      createWorker(
        name,
        async () => {
          runs.push(Date.now());
          if (runs.length === 1) throw new RetryableError("429", { retryAfterMs: 400 });
        },
        { connection: t.connect() },
      ),
    );
    await queue.push({ type: "x" });
    await waitFor(() => runs.length === 2);
    expect((runs[1] ?? 0) - (runs[0] ?? 0)).toBeGreaterThanOrEqual(400);
  });

  it("halts the queue on a HaltQueueError and hands the job back untouched", async () => {
    const name = queueName("halt");
    const queue = new Queue(name, { connection: t.redis });
    const worker = createWorker(
      name,
      async () => {
        throw new HaltQueueError("provider rejected the API key (401)");
      },
      { connection: t.connect() },
    );
    workers.push(worker);
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await queue.isPaused()).paused);
    expect((await queue.isPaused()).reason).toBe("provider rejected the API key (401)");
    const stats = await queue.stats();
    expect(stats).toMatchObject({ pending: 1, dead: 0, active: 0 });
    expect((await queue.peek(1))[0]?.job).toMatchObject({ id, attempts: 0 });
  });
});
