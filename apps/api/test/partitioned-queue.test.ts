// The admin procedures on a partitioned queue: the API opens it over its registered partitions,
// so lists, stats, the overview, pause and the dead-letter list show the logical queue.
import { createWorker, PermanentError, Queue } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueueAccess } from "../src/lib/queues.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const QUEUE = "campaign";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("a partitioned queue through the admin procedures", () => {
  it("is listed once, with its counts summed over its partitions", async () => {
    const queue = new Queue(QUEUE, { connection: h.redis, partitions: 3 });
    await queue.pushBulk(Array.from({ length: 9 }, (_, i) => ({ type: "report", data: { i } })));
    const perPartition = await Promise.all(queue.partitions.map(async (part) => (await part.stats()).pending));
    expect(perPartition).toEqual([3, 3, 3]);

    const names = await h.admin.queues.list.query();
    expect(names).toContain(QUEUE);
    expect(names.filter((name) => name.startsWith(`${QUEUE}.`))).toEqual([]);
    expect(await h.admin.queues.stats.query({ queue: QUEUE })).toMatchObject({
      name: QUEUE,
      partitions: 3,
      pending: 9,
    });
    const overview = await h.admin.queues.overview.query();
    expect(overview.filter((s) => s.name.startsWith(QUEUE))).toMatchObject([{ name: QUEUE, pending: 9 }]);

    await h.admin.queues.pause.mutate({ queue: QUEUE, reason: "check" });
    expect(await Promise.all(queue.partitions.map(async (part) => (await part.isPaused()).paused))).toEqual([
      true,
      true,
      true,
    ]);
    await h.admin.queues.resume.mutate({ queue: QUEUE });

    const worker = createWorker(
      QUEUE,
      async () => {
        throw new PermanentError("no data");
      },
      { connection: h.redis, partitions: 3 },
    );
    try {
      await waitFor(async () => (await h.admin.queues.stats.query({ queue: QUEUE })).dead === 9, {
        message: "nine dead letters over three partitions",
      });
      const page = await h.admin.dlq.list.query({ queue: QUEUE, limit: 5 });
      expect(page.total).toBe(9);
      expect(page.entries).toHaveLength(5);
    } finally {
      await worker.close();
    }
  });

  it("follows a partition count registered after the API opened the queue", async () => {
    const access = createQueueAccess(h.redis, 2_000, { recheckMs: 0 });
    expect((await access("late")).partitions).toHaveLength(1);
    // A worker (or producer) with QUEUE_PARTITIONS=late=3 registers the count later.
    await new Queue("late", { connection: h.redis, partitions: 3 }).pushBulk(
      Array.from({ length: 6 }, (_, i) => ({ type: "report", data: { i } })),
    );
    const reopened = await access("late");
    expect(reopened.partitions).toHaveLength(3);
    expect((await reopened.stats()).pending).toBe(6);
    expect(await access("late")).toBe(reopened);
  });
});
