import { batchItemFailures } from "@notify/queue";
import { EMAIL_QUEUE, type EmailBatchProgress, emailEventStats, withEmailCounters } from "@notify/queue/notifications";
import { z } from "zod";
import { batchOutput, emailEventStatsOutput } from "../lib/output-schemas.ts";
import { queueNameSchema } from "../lib/schemas.ts";
import { mayRead, notFound } from "../lib/tenancy.ts";
import { adminProcedure, router, serviceProcedure } from "../trpc.ts";

/** The API's vocabulary: a batch job that is "done" has been sent. */
function toBatchView(batch: EmailBatchProgress) {
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
    tenant: batch.tenant,
  };
}

export const batchesRouter = router({
  /** Progress of a campaign: sent, failed, pending and what recipients did with it. */
  get: serviceProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/batches/{batchId}",
        tags: ["batches"],
        protect: true,
        summary: "A batch's progress",
      },
    })
    .input(z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), batchId: z.string().min(1).max(200) }))
    .output(batchOutput)
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const batch = await queue.batch(input.batchId);
      if (!batch || !mayRead(ctx, batch.tenant)) throw notFound(`no batch ${input.batchId}`);
      // Seed 003's EmailJob: contacts that never became an email (unknown, no address), with why.
      const items = await batchItemFailures(ctx.deps.redis, queue.keys, input.batchId, 100);
      const contactFailures = {
        total: items.total,
        failures: items.failures.map((f) => ({ contactId: f.item, reason: f.reason })),
      };
      return { ...toBatchView(await withEmailCounters(ctx.deps.redis, input.queue, batch)), contactFailures };
    }),

  /**
   * What recipients did with a batch or campaign, from the email events alone: also for a
   * campaign sent elsewhere whose events arrive here (seed 000's campaignId), where `get` has no
   * batch to show.
   */
  events: serviceProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/batches/{batchId}/events",
        tags: ["batches"],
        protect: true,
        summary: "What recipients did with a batch or campaign",
      },
    })
    .input(z.object({ batchId: z.string().min(1).max(200) }))
    .output(emailEventStatsOutput)
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      // Another tenant's campaign is not there for this key, as in `get`.
      const batch = await (await ctx.queue(EMAIL_QUEUE)).batch(input.batchId);
      if (batch && !mayRead(ctx, batch.tenant)) throw notFound(`no batch ${input.batchId}`);
      return emailEventStats(ctx.deps.redis, input.batchId);
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
      const viewed = await Promise.all(batches.map((batch) => withEmailCounters(ctx.deps.redis, input.queue, batch)));
      return viewed.map(toBatchView);
    }),
});
