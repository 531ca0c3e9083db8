import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { jobIdSchema, queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

const queueInput = z.object({ queue: queueNameSchema });
const entryInput = queueInput.extend({ id: jobIdSchema });
const errorFilter = z.string().trim().min(1).max(200).optional();

function notFound(queue: string, id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no dead letter ${id} in ${queue}` });
}

export const dlqRouter = router({
  list: adminProcedure
    .input(
      queueInput.extend({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
        error: errorFilter,
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      return queue.dlq.list({
        offset: input.offset,
        limit: input.limit,
        ...(input.error ? { error: input.error } : {}),
      });
    }),

  get: adminProcedure.input(entryInput).query(async ({ ctx, input }) => {
    const entry = await (await ctx.queue(input.queue, { mustExist: true })).dlq.get(input.id);
    if (!entry) throw notFound(input.queue, input.id);
    return entry;
  }),

  retry: adminProcedure.input(entryInput).mutation(async ({ ctx, input }) => {
    const retried = await (await ctx.queue(input.queue, { mustExist: true })).dlq.retry(input.id);
    if (!retried) throw notFound(input.queue, input.id);
    return { retried };
  }),

  /** Retries every dead letter, or only those whose error contains `error`. */
  retryAll: adminProcedure
    .meta({ timeoutMs: 60_000 })
    .input(queueInput.extend({ error: errorFilter }))
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      return { retried: await queue.dlq.retryAll(input.error ? { error: input.error } : {}) };
    }),

  delete: adminProcedure.input(entryInput).mutation(async ({ ctx, input }) => {
    const deleted = await (await ctx.queue(input.queue, { mustExist: true })).dlq.delete(input.id);
    if (!deleted) throw notFound(input.queue, input.id);
    return { deleted };
  }),

  purge: adminProcedure
    .meta({ timeoutMs: 60_000 })
    .input(queueInput)
    .mutation(async ({ ctx, input }) => {
      return { purged: await (await ctx.queue(input.queue, { mustExist: true })).dlq.purge() };
    }),
});
