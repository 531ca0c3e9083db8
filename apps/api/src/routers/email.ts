import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { MAX_BATCH_RECIPIENTS, sendEmailBatchInput, sendEmailInput, toPushOptions } from "../lib/schemas.ts";
import { timed } from "../metrics/registry.ts";
import { router, serviceProcedure } from "../trpc.ts";

/** Recipients per pushBulk round trip: big enough to be fast, small enough to never block Redis. */
const CHUNK_SIZE = 1_000;

export const emailRouter = router({
  send: serviceProcedure.input(sendEmailInput).mutation(async ({ ctx, input }) => {
    const job = { type: input.template, to: input.to, data: input.data };
    const options = toPushOptions(input.options);
    const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: EMAIL_QUEUE }, async () => {
      if (Object.keys(options).length > 0) return (await ctx.queue(EMAIL_QUEUE)).push(job, options);
      return { id: await (await ctx.queue.batcher(EMAIL_QUEUE)).push(job), duplicate: false };
    });
    return { queue: EMAIL_QUEUE, jobId: result.id, duplicate: result.duplicate };
  }),

  /** A campaign (seeds 002 and 003): one template, up to 100,000 recipients, one batch id to follow it by. */
  sendBatch: serviceProcedure
    .meta({ timeoutMs: 120_000 })
    .input(sendEmailBatchInput)
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(EMAIL_QUEUE);
      const jobs = input.recipients.map((recipient) => ({
        type: input.template,
        to: recipient.to,
        data: { ...input.data, ...recipient.data },
      }));
      const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: EMAIL_QUEUE }, () =>
        queue.pushBulk(jobs, {
          ...toPushOptions(input.options),
          ...(input.batchId ? { batchId: input.batchId } : {}),
          chunkSize: CHUNK_SIZE,
        }),
      );
      return { queue: EMAIL_QUEUE, batchId: result.batchId, count: result.count, maxRecipients: MAX_BATCH_RECIPIENTS };
    }),
});
