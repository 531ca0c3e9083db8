import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { jobIdSchema, queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router, serviceProcedure } from "../trpc.ts";

export const jobsRouter = router({
  /** State, attempts and last error of one job. */
  get: serviceProcedure
    .input(z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), id: jobIdSchema }))
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const found = await queue.getJob(input.id);
      if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `no job ${input.id} in ${input.queue}` });
      return {
        queue: input.queue,
        id: input.id,
        state: found.state,
        attempts: found.job?.attempts ?? 0,
        lastError: found.error ?? found.job?.lastError ?? null,
        reason: found.reason ?? null,
        workerId: found.workerId ?? null,
        /** Delayed: when due; completed: when finished; dead: when it failed. */
        at: found.at ?? null,
        job: found.job,
        raw: found.job ? null : found.raw,
      };
    }),

  /**
   * One page of the jobs in one state: pending head first, delayed soonest first (with when each is
   * due), dead and completed newest first, active worker by worker.
   */
  list: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema,
        state: z.enum(["pending", "active", "delayed", "dead", "completed"]),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      return queue.jobs({ state: input.state, offset: input.offset, limit: input.limit });
    }),

  /** Id, recipient or any payload text across every state (the dashboard's search box). */
  search: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema,
        text: z.string().trim().min(1).max(200),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      return queue.search(input.text, { limit: input.limit });
    }),
});
