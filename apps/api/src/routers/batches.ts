import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { router, serviceProcedure } from "../trpc.ts";

export const batchesRouter = router({
  /** Progress of a campaign: sent, failed, pending and what recipients did with it. */
  get: serviceProcedure
    .input(z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), batchId: z.string().min(1).max(200) }))
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const batch = await queue.batch(input.batchId);
      if (!batch) throw new TRPCError({ code: "NOT_FOUND", message: `no batch ${input.batchId}` });
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
    }),
});
