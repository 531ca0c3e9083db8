// The default retry schedule rides out a provider outage of ten minutes and more; jobs past
// their expiry are dead-lettered as expired, never sent.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { decideFailure } from "../src/failure.ts";
import { createWorker, Queue, RetryableError, type Worker } from "../src/index.ts";
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from "../src/job.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

const policy = { maxAttempts: DEFAULT_MAX_ATTEMPTS, backoff: DEFAULT_BACKOFF };

/** Total wait of the default schedule before the job is dead-lettered, with a fixed jitter draw. */
function totalWaitMs(random: () => number): number {
  let job = { id: "j", type: "x", data: {}, attempts: 0 };
  let waited = 0;
  for (;;) {
    const outcome = decideFailure(job, new Error("503"), policy, 0, random);
    if (outcome.kind !== "retry") return waited;
    waited += outcome.delayMs;
    job = outcome.job as typeof job;
  }
}

describe("the default retry schedule", () => {
  it("keeps retrying through a ten-minute outage even with the shortest jitter", () => {
    expect(totalWaitMs(() => 0)).toBeGreaterThan(30 * 60_000);
    expect(totalWaitMs(() => 0.999)).toBeLessThan(60 * 60_000);
    const first = decideFailure({ id: "j", type: "x", data: {}, attempts: 0 }, new Error("503"), policy, 0, () => 0.5);
    expect(first).toMatchObject({ kind: "retry", delayMs: 30_000 });
  });

  it("caps each wait at the backoff's maxDelayMs", () => {
    const late = decideFailure({ id: "j", type: "x", data: {}, attempts: 6 }, new Error("503"), policy, 0, () => 0.999);
    expect(late.kind === "retry" && late.delayMs).toBeLessThanOrEqual(900_000 * 1.25);
  });
});

describe("expiry", () => {
  it("dead-letters a job past its expiresAt without running it", async () => {
    const name = queueName("expired");
    const queue = new Queue(name, { connection: t.redis });
    let runs = 0;
    workers.push(createWorker(name, async () => void runs++, { connection: t.connect() }));
    await t.redis.rpush(
      queue.keys.pending,
      JSON.stringify({ id: "otp-late", type: "otp", data: {}, expiresAt: Date.now() - 1 }),
    );
    await waitFor(async () => (await queue.dlq.get("otp-late")) !== null);
    expect(await queue.dlq.get("otp-late")).toMatchObject({ reason: "expired" });
    expect(runs).toBe(0);
  });

  it("dead-letters instead of retrying when the next attempt would come after the expiry", async () => {
    const name = queueName("expires");
    const queue = new Queue(name, { connection: t.redis });
    workers.push(
      createWorker(name, async () => Promise.reject(new RetryableError("provider down", { retryAfterMs: 60_000 })), {
        connection: t.connect(),
      }),
    );
    const { id } = await queue.push({ type: "otp" }, { ttlMs: 5_000 });
    await waitFor(async () => (await queue.dlq.get(id)) !== null);
    expect(await queue.dlq.get(id)).toMatchObject({ reason: "expired", attempts: 1 });
  });
});
