import type { BatchProgress } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router, serviceProcedure } from "../trpc.ts";

/** The API's vocabulary: a batch job that is "done" has been sent. */
function toBatchView(batch: BatchProgress) {
  return {
    batchId: batch.batchId,
    total: batch.total,
    sent: batch.done,
    failed: batch.failed,
    pending: batch.pending,
    delivered: batch.delivered,
    opened: batch.opened,
    clicked: batch.clicked,
    bounced: batch.bounced,
    createdAt: batch.createdAt,
  };
}

export const batchesRouter = router({
  /** Progress of a campaign: sent, failed, pending and what recipients did with it. */
  get: serviceProcedure
    .input(z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), batchId: z.string().min(1).max(200) }))
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const batch = await queue.batch(input.batchId);
      if (!batch) throw new TRPCError({ code: "NOT_FOUND", message: `no batch ${input.batchId}` });
      return toBatchView(batch);
    }),

  /** The most recent campaigns, newest first, with their progress (the dashboard's Batches page). */
  list: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema.default(EMAIL_QUEUE),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(100).default(20),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const batches = await queue.batches({ offset: input.offset, limit: input.limit });
      return batches.map(toBatchView);
    }),
});
