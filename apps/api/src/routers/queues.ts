import { z } from "zod";
import { allQueueNames } from "../lib/queues.ts";
import { queueNameSchema } from "../lib/schemas.ts";
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
    return Promise.all(names.map(async (name) => (await ctx.queue(name)).stats()));
  }),

  stats: adminProcedure.input(queueInput).query(async ({ ctx, input }) => {
    return (await ctx.queue(input.queue, { mustExist: true })).stats();
  }),

  peek: adminProcedure
    .input(queueInput.extend({ limit: z.number().int().min(1).max(100).default(10) }))
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).peek(input.limit);
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

  recentFailures: adminProcedure
    .input(queueInput.extend({ limit: z.number().int().min(1).max(200).default(20) }))
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).recentFailures(input.limit);
    }),
});
