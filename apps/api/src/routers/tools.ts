import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { devProcedure, router } from "../trpc.ts";

/** Development only (seed 002's dev tools); no-op "test" jobs in a queue of their own by default. */
const DEV_QUEUE = "dev_test";

export const toolsRouter = router({
  createTestJobs: devProcedure
    .input(
      z.object({ queue: queueNameSchema.default(DEV_QUEUE), count: z.number().int().min(1).max(1_000).default(10) }),
    )
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue);
      const jobs = Array.from({ length: input.count }, (_, index) => ({
        type: "test",
        data: { index, createdBy: "tools.createTestJobs" },
      }));
      const result = await queue.pushBulk(jobs, {});
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
});
