// Delayed jobs are promoted by whichever worker gets there first: never early, exactly once.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("delayed jobs", () => {
  it("never starts a delayed job early and promotes it once across three workers", async () => {
    const name = queueName("delay");
    const queue = new Queue(name, { connection: t.redis });
    const starts = new Map<string, number[]>();
    for (let i = 0; i < 3; i++) {
      workers.push(
        createWorker(
          name,
          async (job) => {
            starts.set(job.id, [...(starts.get(job.id) ?? []), Date.now()]);
          },
          { connection: t.connect() },
        ),
      );
    }
    const pushedAt = Date.now();
    const jobs = await Promise.all(
      [300, 600, 900, 1200].map(async (delayMs) => ({ delayMs, ...(await queue.push({ type: "x" }, { delayMs })) })),
    );
    const runAt = new Date(pushedAt + 800);
    const { id: atId } = await queue.push({ type: "x" }, { runAt });
    await waitFor(() => starts.size === 5, { message: "all delayed jobs ran" });
    for (const job of jobs) {
      expect(starts.get(job.id)).toHaveLength(1);
      expect((starts.get(job.id)?.[0] ?? 0) - pushedAt).toBeGreaterThanOrEqual(job.delayMs);
    }
    expect(starts.get(atId)?.[0]).toBeGreaterThanOrEqual(runAt.getTime());
    expect((await queue.stats()).delayed).toBe(0);
  });
});
