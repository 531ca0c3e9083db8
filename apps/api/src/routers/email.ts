import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "../context.ts";
import { assertChannelOn } from "../lib/channels.ts";
import { assertJobBounds } from "../lib/input-bounds.ts";
import { heldOptions, quietRelease, quietReleases } from "../lib/quiet-release.ts";
import { MAX_BATCH_RECIPIENTS, sendEmailBatchInput, sendEmailInput, toPushOptions } from "../lib/schemas.ts";
import { resolveTemplate, withCategory } from "../lib/template-sends.ts";
import { mayRead, tenantOption } from "../lib/tenancy.ts";
import { timed } from "../metrics/registry.ts";
import { router, serviceProcedure } from "../trpc.ts";

type SendEmailInput = z.infer<typeof sendEmailInput>;

export const enqueued = z.object({
  queue: z.string(),
  jobId: z.string(),
  duplicate: z.boolean(),
  /** Set when quiet hours hold the message: when it goes out (ms since epoch). */
  heldUntil: z.number().optional(),
});

/** Recipients per pushBulk round trip: big enough to be fast, small enough to never block Redis. */
const CHUNK_SIZE = 1_000;

/** email.send's resolver; http/direct-send.ts runs it too, with the same checks around it. */
export async function sendOneEmail(ctx: Context, input: SendEmailInput): Promise<z.infer<typeof enqueued>> {
  assertChannelOn(ctx.deps.config, EMAIL_QUEUE);
  await resolveTemplate(ctx, "email", input.template, [{ path: ["data"], data: input.data }]);
  const data = withCategory(input.data, input.options?.category);
  const job = { type: input.template, to: input.to, data };
  assertJobBounds(job, ctx.deps.config.maxJobBytes);
  const heldUntil = await quietRelease(ctx, {
    channel: "email",
    template: input.template,
    to: input.to,
    data,
    options: input.options,
  });
  const options = heldOptions(toPushOptions(input.options, ctx.tenant), heldUntil);
  const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: EMAIL_QUEUE }, async () => {
    if (Object.keys(options).length > 0)
      return (await ctx.queue(EMAIL_QUEUE)).push(job, { ...options, ...tenantOption(ctx) });
    return { id: await (await ctx.queue.batcher(EMAIL_QUEUE)).push(job, tenantOption(ctx)), duplicate: false };
  });
  return { queue: EMAIL_QUEUE, jobId: result.id, duplicate: result.duplicate, ...(heldUntil ? { heldUntil } : {}) };
}

export const emailRouter = router({
  send: serviceProcedure
    .meta({
      openapi: { method: "POST", path: "/email/send", tags: ["email"], protect: true, summary: "Send one email" },
    })
    .input(sendEmailInput)
    .output(enqueued)
    .mutation(({ ctx, input }) => sendOneEmail(ctx, input)),

  /** A campaign (seeds 002 and 003): one template, up to 100,000 recipients, one batch id to follow it by. */
  sendBatch: serviceProcedure
    .meta({
      timeoutMs: 120_000,
      openapi: { method: "POST", path: "/email/batches", tags: ["email"], protect: true, summary: "Send a campaign" },
    })
    .input(sendEmailBatchInput)
    .output(z.object({ queue: z.string(), batchId: z.string(), count: z.number(), maxRecipients: z.number() }))
    .mutation(async ({ ctx, input }) => {
      assertChannelOn(ctx.deps.config, EMAIL_QUEUE);
      const merged = input.recipients.map((recipient, index) => ({
        path: ["recipients", index, "data"],
        data: { ...input.data, ...recipient.data },
      }));
      await resolveTemplate(ctx, "email", input.template, merged);
      // A campaign is marketing unless the caller or its stored template says otherwise (the worker decides).
      const now = Date.now();
      const jobs = input.recipients.map((recipient, index) => {
        const data = withCategory(merged[index]?.data ?? {}, input.options?.category);
        const job = { type: input.template, to: recipient.to, data };
        assertJobBounds(job, ctx.deps.config.maxJobBytes, `recipients.${index}.data`);
        return job;
      });
      const releases = await quietReleases(
        ctx,
        jobs.map((job) => ({ channel: "email", template: input.template, ...job, options: input.options })),
        now,
      );
      // Recipients in different zones leave quiet hours at different moments: one push per moment.
      const byRelease = new Map<number, typeof jobs>();
      for (const [index, job] of jobs.entries()) {
        const release = releases[index] ?? 0;
        const group = byRelease.get(release) ?? [];
        group.push(job);
        byRelease.set(release, group);
      }
      const queue = await ctx.queue(EMAIL_QUEUE);
      if (input.batchId) {
        // A batch id is one tenant's: adding to another's would mix their jobs and progress.
        const existing = await queue.batch(input.batchId);
        if (existing && !mayRead(ctx, existing.tenant))
          throw new TRPCError({ code: "CONFLICT", message: `batch id ${input.batchId} is taken; choose another` });
      }
      // Without a given id the batch is made here and numbers its jobs across the pushes below.
      const batch = queue.openBatch(input.batchId || undefined);
      let count = 0;
      for (const [release, jobs] of byRelease) {
        const options = heldOptions(toPushOptions(input.options, ctx.tenant), release || undefined, now);
        const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: EMAIL_QUEUE }, () =>
          batch.pushBulk(jobs, { ...options, ...tenantOption(ctx), chunkSize: CHUNK_SIZE }),
        );
        count += result.count;
      }
      return { queue: EMAIL_QUEUE, batchId: batch.batchId, count, maxRecipients: MAX_BATCH_RECIPIENTS };
    }),
});
