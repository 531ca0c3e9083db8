import { emailEventCounts, newUserSummary } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { overThreshold } from "../lib/dead-letter-alert.ts";
import { boundFound } from "../lib/job-view.ts";
import { queueStatsOutput } from "../lib/output-schemas.ts";
import { allQueueNames } from "../lib/queues.ts";
import { jobIdSchema, queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

const queueInput = z.object({ queue: queueNameSchema });

export const queuesRouter = router({
  list: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    return allQueueNames(ctx.deps.redis);
  }),

  /** Every queue's stats in one call, for the dashboard's front page. */
  overview: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    const names = await allQueueNames(ctx.deps.redis);
    const requireWorkers = ctx.deps.config.healthRequireWorkers;
    return Promise.all(
      names.map(async (name) => {
        const queue = await ctx.queue(name);
        const [stats, health] = await Promise.all([queue.stats(), queue.health({ requireWorkers })]);
        return { ...stats, health: { status: health.status, reasons: health.reasons } };
      }),
    );
  }),

  /** Queues over DLQ_ALERT_THRESHOLD dead letters (seed 004's alert), for the dashboard's banner. */
  deadLetterAlerts: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    const threshold = ctx.deps.config.dlqAlertThreshold;
    const names = await allQueueNames(ctx.deps.redis);
    const counts = await Promise.all(names.map(async (name) => (await ctx.queue(name)).dlq.count()));
    const over = names
      .map((queue, i) => ({ queue, dead: counts[i] ?? 0 }))
      .filter((q) => overThreshold(q.dead, threshold));
    return { threshold, over };
  }),

  /** Per-queue health (ok / warning / critical) with its reasons and the signals behind it. */
  health: adminProcedure.input(queueInput).query(async ({ ctx, input }) => {
    const queue = await ctx.queue(input.queue, { mustExist: true });
    return { ...(await queue.health({ requireWorkers: ctx.deps.config.healthRequireWorkers })) };
  }),

  /**
   * Seed 002's monitoring report, per queue: processed, failed attempts, error rate, p50/p95
   * processing time and the most frequent errors over the last `windowMinutes` (at most a day:
   * the per-minute counters live 25 hours). Without `queue`, every queue.
   */
  report: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema.optional(),
        windowMinutes: z.number().int().min(1).max(1_440).default(60),
        topErrors: z.number().int().min(1).max(50).default(5),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const names = input.queue ? [input.queue] : await allQueueNames(ctx.deps.redis);
      const options = { windowMinutes: input.windowMinutes, topErrors: input.topErrors };
      return Promise.all(
        names.map(async (name) => ({ ...(await (await ctx.queue(name, { mustExist: true })).report(options)) })),
      );
    }),

  /**
   * BullMQ's clean(grace, limit, state): removes completed-history entries or dead letters older
   * than `graceMs`, oldest first, at most `limit`.
   */
  clean: adminProcedure
    .input(
      queueInput.extend({
        graceMs: z
          .number()
          .int()
          .min(0)
          .max(365 * 86_400_000),
        state: z.enum(["completed", "dead"]),
        limit: z.number().int().min(1).max(1_000_000).default(100_000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const removed = await queue.clean(input.graceMs, input.state, { limit: input.limit });
      return { queue: input.queue, state: input.state, removed };
    }),

  /** What the events worker counted: events by type, and seed 000's new users by group. */
  emailEvents: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    const [counts, newUsers] = await Promise.all([emailEventCounts(ctx.deps.redis), newUserSummary(ctx.deps.redis)]);
    // Spread: a plain object type, so the client's types need not name the engine's interface.
    return { counts, newUsers: { ...newUsers } };
  }),

  stats: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/queues/{queue}/stats",
        tags: ["admin"],
        protect: true,
        summary: "Counts and totals of one queue (admin token)",
      },
    })
    .input(queueInput)
    .output(queueStatsOutput)
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).stats();
    }),

  peek: adminProcedure
    .input(queueInput.extend({ limit: z.number().int().min(1).max(100).default(10) }))
    .query(async ({ ctx, input }) => {
      const found = await (await ctx.queue(input.queue, { mustExist: true })).peek(input.limit);
      return found.map((job) => boundFound(job, ctx.deps.config.maxJobBytes));
    }),

  pause: adminProcedure
    .input(queueInput.extend({ reason: z.string().trim().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      await queue.pause(input.reason);
      return queue.isPaused();
    }),

  resume: adminProcedure.input(queueInput).mutation(async ({ ctx, input }) => {
    const queue = await ctx.queue(input.queue, { mustExist: true });
    await queue.resume();
    return queue.isPaused();
  }),

  /** Removes pending and delayed jobs; in-flight jobs finish and dead letters stay. */
  clear: adminProcedure.input(queueInput).mutation(async ({ ctx, input }) => {
    return (await ctx.queue(input.queue, { mustExist: true })).clear();
  }),

  /** Deletes one pending or delayed job (issue 15); NOT_FOUND when a worker took it meanwhile. */
  removeJob: adminProcedure
    .input(queueInput.extend({ state: z.enum(["pending", "delayed"]), id: jobIdSchema }))
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      if (!(await queue.removeWaiting({ state: input.state, id: input.id })))
        throw new TRPCError({ code: "NOT_FOUND", message: `no ${input.state} job ${input.id} in ${input.queue}` });
      return { removed: true };
    }),

  /** Runs one delayed job now: a scheduled one, or a retry waiting out its backoff. */
  promote: adminProcedure.input(queueInput.extend({ id: jobIdSchema })).mutation(async ({ ctx, input }) => {
    const queue = await ctx.queue(input.queue, { mustExist: true });
    if (!(await queue.promote(input.id)))
      throw new TRPCError({ code: "NOT_FOUND", message: `no delayed job ${input.id} in ${input.queue}` });
    return { promoted: true };
  }),

  recentFailures: adminProcedure
    .input(queueInput.extend({ limit: z.number().int().min(1).max(200).default(20) }))
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).recentFailures(input.limit);
    }),
});
