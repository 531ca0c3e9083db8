// The delayed set's two kinds told apart: a retry waiting for its next attempt after a real
// failure, and a job a producer delayed (even one whose data spells "failedAt").
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("retrying and scheduled delayed jobs", () => {
  it("lists a failed job as retrying with its error and attempts, and producer delays as scheduled", async () => {
    const name = queueName("kinds");
    const queue = new Queue(name, { connection: t.redis });
    workers.push(
      createWorker(
        name,
        async (job) => {
          if (job.type === "flaky") throw new Error("provider timed out");
        },
        { connection: t.connect(), maxAttempts: 5, backoff: { type: "fixed", delayMs: 3_600_000 } },
      ),
    );
    const { id: flakyId } = await queue.push({ type: "flaky", to: "f@example.com" });
    const later = await queue.push({ type: "later", data: { note: '"failedAt": not a failure' } }, { delayMs: 60_000 });
    const soon = await queue.push({ type: "later" }, { delayMs: 30_000 });
    await waitFor(async () => (await queue.delayedJobs({ kind: "retrying" })).total === 1, {
      message: "the failed job waits for its next attempt",
    });

    const retrying = await queue.delayedJobs({ kind: "retrying" });
    expect(retrying.complete).toBe(true);
    expect(retrying.jobs.map((f) => [f.job?.id, f.job?.attempts, f.job?.lastError])).toEqual([
      [flakyId, 1, "provider timed out"],
    ]);
    // An hour's fixed backoff, less its jitter (backoff.ts: +-25%): due in 45 to 75 minutes.
    const dueIn = (retrying.jobs[0]?.at ?? 0) - Date.now();
    expect(dueIn).toBeGreaterThan(0.75 * 3_600_000 - 60_000);
    expect(dueIn).toBeLessThanOrEqual(1.25 * 3_600_000);

    const scheduled = await queue.delayedJobs({ kind: "scheduled" });
    expect(scheduled.total).toBe(2);
    // Soonest first, as they will run; paged.
    expect(scheduled.jobs.map((f) => f.job?.id)).toEqual([soon.id, later.id]);
    const second = await queue.delayedJobs({ kind: "scheduled", offset: 1, limit: 1 });
    expect({ total: second.total, ids: second.jobs.map((f) => f.job?.id) }).toEqual({ total: 2, ids: [later.id] });

    // Run now takes the retry out of the waiting set; it runs (and fails) again with the attempt counted.
    await queue.promote(flakyId);
    await waitFor(async () => (await queue.delayedJobs({ kind: "retrying" })).jobs[0]?.job?.attempts === 2, {
      message: "the promoted retry ran again",
    });
  });

  it("merges the partitions of a partitioned queue by due time", async () => {
    const name = queueName("kinds-parts");
    const queue = new Queue(name, { connection: t.redis, partitions: 2 });
    const pushed = [];
    for (const delayMs of [40_000, 10_000, 30_000, 20_000])
      pushed.push({ delayMs, ...(await queue.push({ type: "x" }, { delayMs })) });
    const page = await queue.delayedJobs({ kind: "scheduled" });
    expect(page.total).toBe(4);
    expect(page.jobs.map((f) => f.job?.id)).toEqual([...pushed].sort((a, b) => a.delayMs - b.delayMs).map((p) => p.id));
    expect((await queue.delayedJobs({ kind: "retrying" })).total).toBe(0);
  });
});
