import type { JobInput } from "@notify/queue";
import { EMAIL_QUEUE, emailJobSchema, SMS_QUEUE, smsJobSchema } from "@notify/queue/notifications";
import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { devProcedure, router } from "../trpc.ts";

/** Development only (seed 002's dev tools). The performance test's no-op jobs get a queue of their own. */
const DEV_QUEUE = "dev_test";
/** What one export may carry back through tRPC; the rest is reported as truncated. */
const EXPORT_MAX_JOBS = 5_000;
const EXPORT_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Test jobs the queue's own worker runs: welcome emails and SMS with the data their templates
 * need, to reserved addresses (example.com, a fictional number) the console provider just
 * prints; any other queue gets no-op "test" jobs for whatever handler serves it.
 */
function testJobs(queue: string, count: number): JobInput[] {
  return Array.from({ length: count }, (_, index) => {
    if (queue === EMAIL_QUEUE) {
      return emailJobSchema.parse({
        type: "welcome",
        to: `dev-test+${index}@example.com`,
        data: { user_name: `Test user ${index}` },
      });
    }
    if (queue === SMS_QUEUE) {
      return smsJobSchema.parse({
        type: "otp",
        to: `+9199999${String(index % 100_000).padStart(5, "0")}`,
        data: { otp: String(100_000 + index).slice(-6) },
      });
    }
    return { type: "test", data: { index, createdBy: "tools.createTestJobs" } };
  });
}

export const toolsRouter = router({
  createTestJobs: devProcedure
    .input(
      z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), count: z.number().int().min(1).max(1_000).default(10) }),
    )
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue);
      const result = await queue.pushBulk(testJobs(input.queue, input.count), {});
      return { queue: input.queue, batchId: result.batchId, jobsCreated: result.count };
    }),

  performanceTest: devProcedure
    .meta({ timeoutMs: 60_000 })
    .input(
      z.object({
        queue: queueNameSchema.default(DEV_QUEUE),
        jobCount: z.number().int().min(1).max(100_000).default(1_000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue);
      const jobs = Array.from({ length: input.jobCount }, (_, index) => ({ type: "perf", data: { index } }));
      const started = performance.now();
      const result = await queue.pushBulk(jobs, { chunkSize: 1_000 });
      const durationMs = performance.now() - started;
      return {
        queue: input.queue,
        jobsCreated: result.count,
        durationMs: Math.round(durationMs),
        jobsPerSecond: Math.round(result.count / Math.max(durationMs / 1000, 0.001)),
      };
    }),

  /** Seed 002's exportQueueData: every job of a queue as JSON lines ({state, job|raw}), bounded. */
  exportQueue: devProcedure
    .meta({ timeoutMs: 30_000 })
    .input(z.object({ queue: queueNameSchema }))
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const lines: string[] = [];
      let bytes = 0;
      let truncated = false;
      for await (const line of queue.export()) {
        if (lines.length >= EXPORT_MAX_JOBS || bytes + line.length > EXPORT_MAX_BYTES) {
          truncated = true;
          break;
        }
        lines.push(line);
        bytes += line.length;
      }
      return { queue: input.queue, lines, truncated };
    }),
});
