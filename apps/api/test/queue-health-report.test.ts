// Seed 002's monitoring through the API: /health fails when one queue has a backlog that no live
// worker takes (while another queue's worker is up), queues.overview carries each queue's health,
// queues.report gives p50/p95 and top errors, queues.clean trims, /metrics has the histogram.
import { createWorker, PermanentError, Queue } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, testRedis } from "./support/harness.ts";

let h: Harness;
let connection: ReturnType<typeof testRedis>;
beforeAll(async () => {
  h = await startHarness({ config: { healthRequireWorkers: true } });
  connection = testRedis(h.redisServer.url);
});
afterAll(async () => {
  connection?.disconnect();
  await h?.close();
});

describe("per-queue health", () => {
  it("fails /health for a backlog without a worker even while another queue has one", async () => {
    const worker = createWorker("sms", async () => {}, { connection });
    try {
      await new Queue("reports", { connection }).push({ type: "x" });
      const body = await waitFor(async () => {
        const response = await fetch(`${h.app.url}/health`);
        const json = (await response.json()) as { workers: Record<string, number> };
        return json.workers.sms === 1 ? { status: response.status, json } : null;
      });
      expect(body.status).toBe(503);
      expect(body.json).toMatchObject({
        status: "fail",
        reason: "reports: no live worker while 1 job(s) wait",
        queues: { sms: { status: "ok" }, reports: { status: "critical" } },
      });
      const overview = await h.admin.queues.overview.query();
      expect(overview.find((q) => q.name === "reports")?.health).toEqual({
        status: "critical",
        reasons: ["no live worker while 1 job(s) wait"],
      });
      expect((await h.admin.queues.health.query({ queue: "sms" })).status).toBe("ok");
    } finally {
      await worker.close({ graceMs: 1_000 });
    }
  });
});

describe("queues.report, queues.clean and the processing-time histogram", () => {
  it("reports a window, cleans dead letters and exposes notify_job_processing_seconds", async () => {
    const queue = new Queue("analytics-test", { connection });
    const worker = createWorker(
      queue.name,
      async (job) => {
        if (job.type === "bad") throw new PermanentError("no data for that day");
      },
      { connection },
    );
    try {
      await queue.pushBulk([{ type: "ok" }, { type: "ok" }, { type: "ok" }, { type: "bad" }]);
      await waitFor(async () => (await queue.stats()).dead === 1 && (await queue.stats()).processed === 3);
      const [report] = await h.admin.queues.report.query({ queue: queue.name, windowMinutes: 15 });
      expect(report).toMatchObject({ queue: queue.name, processed: 3, failed: 1, errorRate: 0.25 });
      expect(report?.p50Seconds).toEqual(expect.any(Number));
      expect(report?.topErrors).toEqual([{ error: "no data for that day", count: 1 }]);

      const text = await (await fetch(`${h.app.url}/metrics`)).text();
      expect(text).toMatch(/^# TYPE notify_job_processing_seconds histogram$/m);
      expect(text).toMatch(/^notify_job_processing_seconds_bucket\{queue="analytics-test",le="\+Inf"\} 3$/m);
      expect(text).toMatch(/^notify_job_processing_seconds_count\{queue="analytics-test"\} 3$/m);

      // Within the grace period nothing goes; with none, the dead letter does.
      expect(await h.admin.queues.clean.mutate({ queue: queue.name, graceMs: 3_600_000, state: "dead" })).toEqual({
        queue: queue.name,
        state: "dead",
        removed: 0,
      });
      expect((await h.admin.queues.clean.mutate({ queue: queue.name, graceMs: 0, state: "dead" })).removed).toBe(1);
      expect((await queue.stats()).dead).toBe(0);
      await expect(h.admin.queues.clean.mutate({ queue: queue.name, graceMs: -5, state: "dead" })).rejects.toThrow();
      await expect(h.admin.queues.clean.mutate({ queue: "no-such-queue", graceMs: 0, state: "dead" })).rejects.toThrow(
        /unknown queue/,
      );
    } finally {
      await worker.close({ graceMs: 1_000 });
    }
  });
});
