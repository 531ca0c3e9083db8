import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { boundDeadLetter } from "../lib/job-view.ts";
import { deadLetterPageOutput } from "../lib/output-schemas.ts";
import { jobIdSchema, queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

const queueInput = z.object({ queue: queueNameSchema });
const entryInput = queueInput.extend({ id: jobIdSchema });
/** Characters, not bytes: the job-size limit itself is checked on the parsed text (MAX_JOB_BYTES). */
const MAX_EDITED_CHARS = 4 * 1024 * 1024;
const errorFilter = z.string().trim().min(1).max(200).optional();

function notFound(queue: string, id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no dead letter ${id} in ${queue}` });
}

export const dlqRouter = router({
  list: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/queues/{queue}/dead-letters",
        tags: ["admin"],
        protect: true,
        summary: "A page of a queue's dead letters, newest first (admin token)",
      },
    })
    .input(
      queueInput.extend({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
        error: errorFilter,
      }),
    )
    .output(deadLetterPageOutput)
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const page = await queue.dlq.list({
        offset: input.offset,
        limit: input.limit,
        ...(input.error ? { error: input.error } : {}),
      });
      return { ...page, entries: page.entries.map((dead) => boundDeadLetter(dead, ctx.deps.config.maxJobBytes)) };
    }),

  get: adminProcedure.input(entryInput).query(async ({ ctx, input }) => {
    const entry = await (await ctx.queue(input.queue, { mustExist: true })).dlq.get(input.id);
    if (!entry) throw notFound(input.queue, input.id);
    return boundDeadLetter(entry, ctx.deps.config.maxJobBytes);
  }),

  retry: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/queues/{queue}/dead-letters/{id}/retry",
        tags: ["admin"],
        protect: true,
        summary: "Queue a dead letter's job again with fresh attempts (admin token)",
      },
    })
    .input(entryInput)
    .output(z.object({ retried: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const retried = await (await ctx.queue(input.queue, { mustExist: true })).dlq.retry(input.id);
      if (!retried) throw notFound(input.queue, input.id);
      return { retried };
    }),

  /**
   * Retries a dead letter with an edited body (an unparseable one, fixed by hand): queued only if
   * `raw` parses as a job envelope, else BAD_REQUEST says why and the dead letter stays.
   */
  retryEdited: adminProcedure
    .input(entryInput.extend({ raw: z.string().min(1).max(MAX_EDITED_CHARS) }))
    .output(z.object({ retried: z.literal(true), id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      if (!(await queue.dlq.get(input.id))) throw notFound(input.queue, input.id);
      const result = await queue.dlq.retryEdited(input.id, input.raw, { maxBytes: ctx.deps.config.maxJobBytes });
      if (!result.ok) throw new TRPCError({ code: "BAD_REQUEST", message: result.error });
      return { retried: true as const, id: result.id };
    }),

  /** Seed 004's retry_dead_letter_job(queue, index): the entry at `index` of dlq.list, 0 = newest. */
  retryAt: adminProcedure
    .input(queueInput.extend({ index: z.number().int().min(0).max(10_000_000) }))
    .mutation(async ({ ctx, input }) => {
      const dead = await (await ctx.queue(input.queue, { mustExist: true })).dlq.retryAt(input.index);
      if (!dead)
        throw new TRPCError({ code: "NOT_FOUND", message: `no dead letter at index ${input.index} in ${input.queue}` });
      return { retried: true, id: dead.id };
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
