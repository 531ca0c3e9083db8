import { drain } from "@notify/queue";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

/**
 * Cron or serverless deployments (seeds 000 and 001) call worker.drain on a schedule instead of
 * running long-lived workers: it claims up to `limit` jobs with the same atomic claim, lease and
 * retry rules as a worker, runs them now and reports what happened.
 */
export const workerRouter = router({
  drain: adminProcedure
    .meta({ timeoutMs: 290_000 })
    .input(z.object({ queue: queueNameSchema, limit: z.number().int().min(1).max(1_000).default(50) }))
    .mutation(async ({ ctx, input }) => {
      const target = ctx.deps.handlers?.[input.queue];
      if (!target) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `no handler for queue "${input.queue}" in this deployment`,
        });
      }
      await ctx.queue(input.queue, { mustExist: true });
      // Under the same rate limit as the worker processes: a drain must not burst past the provider's.
      return drain(input.queue, target.handler, {
        connection: ctx.deps.redis,
        limit: input.limit,
        limiter: target.limiter,
      });
    }),
});
