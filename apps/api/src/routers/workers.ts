import { ConfigError } from "@notify/delivery";
import { drain } from "@notify/queue";
import { breakerStates } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { assertChannelOn } from "../lib/channels.ts";
import { allQueueNames } from "../lib/queues.ts";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

/**
 * A provider's circuit breaker as the admin sees it. Declared here, not taken from
 * the engine's notification layer, so the client's bundled types need no server package (test/packaging.test.ts).
 */
export interface ProviderBreakerView {
  channel: "email" | "sms";
  provider: string;
  state: "closed" | "open" | "half_open";
  /** Why it opened: repeated retryable failures, or rejected credentials. */
  reason: "failures" | "credentials" | null;
  failures: number;
  lastError: string | null;
  /** When an open breaker lets a probe through (ms). */
  retryAt: number | null;
  updatedAt: number;
}

export const workersRouter = router({
  /** Live workers with their current jobs, of one queue or of all. */
  list: adminProcedure
    .input(z.object({ queue: queueNameSchema.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const names = input.queue ? [input.queue] : await allQueueNames(ctx.deps.redis);
      const perQueue = await Promise.all(
        names.map(async (name) => {
          const workers = await (await ctx.queue(name, { mustExist: true })).workers();
          return workers.map((worker) => ({ queue: name, ...worker }));
        }),
      );
      return perQueue.flat();
    }),
  /** Each provider's circuit breaker as the workers last reported it (see docs/providers.md). */
  providers: adminProcedure.query(async ({ ctx }): Promise<ProviderBreakerView[]> => {
    await ctx.ready();
    return (await breakerStates(ctx.deps.redis)).map((b) => ({
      channel: b.channel,
      provider: b.provider,
      state: b.state,
      reason: b.reason ?? null,
      failures: b.failures,
      lastError: b.lastError ?? null,
      retryAt: b.retryAt ?? null,
      updatedAt: b.updatedAt,
    }));
  }),
  /**
   * Cron or serverless deployments (seeds 000 and 001) call workers.drain on a schedule instead of
   * running long-lived workers: it claims up to `limit` jobs with the same atomic claim, lease and
   * retry rules as a worker, runs them now and reports what happened, each failed job with its
   * reason (at most 100 listed; `failuresOmitted` counts the rest).
   */
  drain: adminProcedure
    .meta({ timeoutMs: 290_000 })
    .input(z.object({ queue: queueNameSchema, limit: z.number().int().min(1).max(1_000).default(50) }))
    .mutation(async ({ ctx, input }) => {
      // A switched-off channel sends nothing, from a drain either.
      assertChannelOn(ctx.deps.config, input.queue);
      const target = await ctx.deps.drainTargets?.(input.queue).catch((error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        throw new TRPCError({ code: "PRECONDITION_FAILED", message: `workers.drain is off: ${error.message}` });
      });
      if (!target) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `no handler for queue "${input.queue}" in this deployment`,
        });
      }
      await ctx.queue(input.queue, { mustExist: true });
      // The worker processes' own concurrency, attempts, retry schedule and rate limit: a drain
      // must not retry differently or burst past the provider's limit. It covers every partition
      // the queue has (QUEUE_PARTITIONS, else the registry), as a worker process would.
      const result = await drain(input.queue, target.handler, {
        ...target.options,
        connection: ctx.deps.redis,
        limit: input.limit,
      });
      // Plain objects: the client's types must not name the engine's interfaces.
      const failures = result.failures.map((f) => ({
        id: f.id,
        type: f.type,
        outcome: f.outcome as "dead" | "retrying",
        reason: f.reason,
        error: f.error,
      }));
      return { ...result, failures };
    }),
});
