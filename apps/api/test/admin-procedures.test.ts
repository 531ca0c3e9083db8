// Admin procedures through @notify/client over real HTTP, on a queue of their own ("reports") fed
// by the dev tools and processed by workers.drain, so every number asserted comes from real work.
import { createWorker, type Handler, PermanentError } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness, testRedis } from "./support/harness.ts";

const QUEUE = "reports";

/** Odd-numbered test jobs fail permanently, so every drain leaves dead letters to work with. */
const handler: Handler = async (job) => {
  if (Number(job.data.index) % 2 === 1) throw new PermanentError(`report ${String(job.data.index)} has no data`);
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ handlers: { [QUEUE]: { handler, options: {} } } });
});
afterAll(async () => {
  await h?.close();
});

describe("queue control", () => {
  it("lists, overviews, peeks, pauses, resumes and clears a queue", async () => {
    const created = await h.admin.tools.createTestJobs.mutate({ queue: QUEUE, count: 6 });
    expect(created.jobsCreated).toBe(6);
    expect(await h.admin.queues.list.query()).toEqual(expect.arrayContaining(["email", "sms", "email_events", QUEUE]));
    const overview = await h.admin.queues.overview.query();
    expect(overview.find((s) => s.name === QUEUE)).toMatchObject({ pending: 6 });
    expect(await h.admin.queues.stats.query({ queue: QUEUE })).toMatchObject({
      name: QUEUE,
      pending: 6,
      paused: false,
    });
    const peeked = await h.admin.queues.peek.query({ queue: QUEUE, limit: 2 });
    expect(peeked.map((p) => p.job?.data.index)).toEqual([0, 1]);

    expect(await h.admin.queues.pause.mutate({ queue: QUEUE, reason: "maintenance" })).toMatchObject({
      paused: true,
      reason: "maintenance",
    });
    expect((await h.admin.queues.stats.query({ queue: QUEUE })).paused).toBe(true);
    expect((await h.admin.queues.resume.mutate({ queue: QUEUE })).paused).toBe(false);

    const found = await h.admin.jobs.search.query({ queue: QUEUE, text: created.batchId });
    expect(found).toHaveLength(6);
    expect(await h.admin.queues.clear.mutate({ queue: QUEUE })).toEqual({ removed: 6 });
    expect((await h.admin.queues.stats.query({ queue: QUEUE })).pending).toBe(0);
  });
});

describe("workers.drain, metrics and the dead-letter list", () => {
  it("drains, records failures and repairs dead letters", async () => {
    await h.admin.tools.createTestJobs.mutate({ queue: QUEUE, count: 6 });
    const drained = await h.admin.workers.drain.mutate({ queue: QUEUE, limit: 10 });
    expect(drained).toMatchObject({ processed: 3, deadLettered: 3, remaining: 0 });

    const series = await h.admin.metrics.series.query({ queue: QUEUE, minutes: 5 });
    expect(series.reduce((sum, p) => sum + p.processed, 0)).toBe(3);
    const history = await h.admin.metrics.history.query({ queue: QUEUE, days: 90 });
    expect(history).toHaveLength(90);
    expect(history.at(-1)?.processed).toBe(3);
    const failures = await h.admin.queues.recentFailures.query({ queue: QUEUE, limit: 10 });
    expect(failures).toHaveLength(3);

    const dead = await h.admin.dlq.list.query({ queue: QUEUE });
    expect(dead.total).toBe(3);
    const first = dead.entries[0];
    if (!first) throw new Error("no dead letter");
    expect(first.error).toMatch(/has no data/);
    expect(await h.admin.dlq.get.query({ queue: QUEUE, id: first.id })).toMatchObject({ id: first.id });

    expect(await h.admin.dlq.retry.mutate({ queue: QUEUE, id: first.id })).toEqual({ retried: true });
    expect((await h.admin.queues.stats.query({ queue: QUEUE })).pending).toBe(1);
    const second = dead.entries[1];
    if (!second) throw new Error("no second dead letter");
    expect(await h.admin.dlq.delete.mutate({ queue: QUEUE, id: second.id })).toEqual({ deleted: true });
    expect((await trpcError(h.admin.dlq.get.query({ queue: QUEUE, id: second.id }))).code).toBe("NOT_FOUND");
    expect(await h.admin.dlq.retryAll.mutate({ queue: QUEUE, error: "has no data" })).toEqual({ retried: 1 });

    await h.admin.workers.drain.mutate({ queue: QUEUE, limit: 10 });
    expect((await h.admin.dlq.list.query({ queue: QUEUE })).total).toBe(2);
    expect(await h.admin.dlq.purge.mutate({ queue: QUEUE })).toEqual({ purged: 2 });
    expect((await h.admin.dlq.list.query({ queue: QUEUE })).total).toBe(0);
  });

  it("refuses to drain a queue this deployment has no handler for", async () => {
    expect((await trpcError(h.admin.workers.drain.mutate({ queue: "email", limit: 1 }))).code).toBe(
      "PRECONDITION_FAILED",
    );
  });
});

describe("workers, redis, schedules, templates, tools", () => {
  it("lists live workers with their queue", async () => {
    const connection = testRedis(h.redisServer.url);
    const worker = createWorker(QUEUE, handler, { connection, concurrency: 2 });
    try {
      // The worker registers its lease asynchronously after starting.
      const listed = await waitFor(async () => {
        const workers = await h.admin.workers.list.query({ queue: QUEUE });
        return workers.length > 0 ? workers : null;
      });
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ queue: QUEUE, concurrency: 2, alive: true });
      expect((await h.admin.workers.list.query()).some((w) => w.queue === QUEUE)).toBe(true);
    } finally {
      await worker.close({ graceMs: 1_000 });
      connection.disconnect();
    }
  });

  it("reports Redis facts", async () => {
    const info = await h.admin.redis.info.query();
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.keys).toBeGreaterThan(0);
  });

  it("creates, lists and deletes a recurring job", async () => {
    const created = await h.admin.schedules.create.mutate({
      queue: "email",
      name: "weekly-digest",
      cron: "0 9 * * MON",
      tz: "Asia/Kolkata",
      job: { type: "welcome", to: "digest@example.com", data: { user_name: "Digest" } },
    });
    expect(created.nextRunAt).toBeGreaterThan(Date.now());
    expect((await h.admin.schedules.list.query({ queue: "email" })).map((s) => s.name)).toEqual(["weekly-digest"]);
    expect(await h.admin.schedules.delete.mutate({ queue: "email", name: "weekly-digest" })).toEqual({ deleted: true });
    expect(await h.admin.schedules.list.query({ queue: "email" })).toEqual([]);
    expect((await trpcError(h.admin.schedules.delete.mutate({ queue: "email", name: "weekly-digest" }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("answers NOT_IMPLEMENTED for previews when no renderer is wired in", async () => {
    const error = await trpcError(
      h.admin.templates.preview.query({ channel: "sms", template: "otp", data: { otp: "1234" } }),
    );
    expect(error.code).toBe("NOT_IMPLEMENTED");
  });

  it("measures bulk enqueue with the dev performance test", async () => {
    const result = await h.admin.tools.performanceTest.mutate({ queue: "perf_dev", jobCount: 2_000 });
    expect(result).toMatchObject({ queue: "perf_dev", jobsCreated: 2_000 });
    expect((await h.admin.queues.stats.query({ queue: "perf_dev" })).pending).toBe(2_000);
  });
});
