// Newsletters with their own content (seed 002): subject, HTML or MJML and text with {{variables}},
// per-recipient personalizations and a batch size, sent to up to 100,000 recipients as one
// campaign whose id is its batch id (progress: campaigns.get or batches.get). Quiet hours hold
// each recipient's copy as they hold any marketing send.
import { CampaignContentError, compileCampaignMjml } from "@notify/delivery";
import {
  CAMPAIGN_JOB_TYPE,
  CAMPAIGN_TTL_SECONDS,
  EMAIL_QUEUE,
  emailAddressSchema,
  loadCampaign,
  sendCampaign,
  withEmailCounters,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { assertJobBounds } from "../lib/input-bounds.ts";
import { quietReleases } from "../lib/quiet-release.ts";
import { dataSchema, enqueueOptionsSchema, MAX_BATCH_RECIPIENTS, toPushOptions } from "../lib/schemas.ts";
import { mayRead, notFound, tenantOption } from "../lib/tenancy.ts";
import { timed } from "../metrics/registry.ts";
import { router, serviceProcedure } from "../trpc.ts";

const campaignIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/);

export const sendCampaignInput = z
  .object({
    subject: z.string().trim().min(1).max(250),
    /** One of html or mjml (compiled to HTML once, here). {{name}} is HTML-escaped when rendered. */
    html: z
      .string()
      .min(1)
      .max(512 * 1024)
      .optional(),
    mjml: z
      .string()
      .min(1)
      .max(512 * 1024)
      .optional(),
    text: z
      .string()
      .max(128 * 1024)
      .optional(),
    /** Variables shared by every recipient. */
    data: dataSchema.default({}),
    recipients: z
      .array(z.object({ to: emailAddressSchema, personalizations: dataSchema.optional() }))
      .min(1)
      .max(MAX_BATCH_RECIPIENTS, `a campaign holds at most ${MAX_BATCH_RECIPIENTS} recipients`),
    /** Recipients queued per round trip (seed 002's batchSize). */
    batchSize: z.number().int().min(1).max(10_000).default(1_000),
    campaignId: campaignIdSchema.optional(),
    options: enqueueOptionsSchema.optional(),
  })
  .refine((input) => (input.html === undefined) !== (input.mjml === undefined), {
    message: "give html or mjml, exactly one",
    path: ["html"],
  });

export const campaignsRouter = router({
  send: serviceProcedure
    .meta({ timeoutMs: 120_000 })
    .input(sendCampaignInput)
    .output(z.object({ queue: z.string(), campaignId: z.string(), batchId: z.string(), count: z.number() }))
    .mutation(async ({ ctx, input }) => {
      input.recipients.forEach((recipient, index) => {
        assertJobBounds(
          { type: "campaign", to: recipient.to, data: { ...input.data, ...recipient.personalizations } },
          ctx.deps.config.maxJobBytes,
          `recipients.${index}.personalizations`,
        );
      });
      let html = input.html ?? "";
      if (input.mjml !== undefined) {
        try {
          html = await compileCampaignMjml(input.mjml);
        } catch (error) {
          if (error instanceof CampaignContentError)
            throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
          throw error;
        }
      }
      await ctx.ready();
      if (input.campaignId) {
        // A campaign id is one tenant's, like a batch id.
        const existing = await (await ctx.queue(EMAIL_QUEUE)).batch(input.campaignId);
        if (existing && !mayRead(ctx, existing.tenant))
          throw new TRPCError({
            code: "CONFLICT",
            message: `campaign id ${input.campaignId} is taken; choose another`,
          });
      }
      const { tenant } = tenantOption(ctx);
      // Newsletters are what quiet hours are for: each recipient's copy waits for their morning.
      const releases = await quietReleases(
        ctx,
        input.recipients.map((recipient) => ({
          channel: "email",
          template: CAMPAIGN_JOB_TYPE,
          to: recipient.to,
          data: { ...input.data, ...recipient.personalizations },
          options: input.options,
        })),
      );
      const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: EMAIL_QUEUE }, () =>
        sendCampaign(ctx.deps.redis, {
          content: { subject: input.subject, html, ...(input.text !== undefined ? { text: input.text } : {}) },
          recipients: input.recipients,
          data: input.data,
          batchSize: input.batchSize,
          ...(input.campaignId ? { campaignId: input.campaignId } : {}),
          ...(tenant !== undefined ? { tenant } : {}),
          options: toPushOptions(input.options, ctx.tenant),
          releases,
        }),
      );
      return { queue: EMAIL_QUEUE, campaignId: result.campaignId, batchId: result.campaignId, count: result.count };
    }),

  /** The campaign's subject and its progress (the batch's sent, failed, pending, opens, clicks). */
  get: serviceProcedure.input(z.object({ campaignId: campaignIdSchema })).query(async ({ ctx, input }) => {
    await ctx.ready();
    const [campaign, progress] = await Promise.all([
      loadCampaign(ctx.deps.redis, input.campaignId),
      (await ctx.queue(EMAIL_QUEUE)).batch(input.campaignId),
    ]);
    if (!campaign || !progress || !mayRead(ctx, progress.tenant)) throw notFound(`no campaign ${input.campaignId}`);
    const email = await withEmailCounters(ctx.deps.redis, EMAIL_QUEUE, progress);
    return {
      campaignId: campaign.id,
      subject: campaign.subject,
      createdAt: campaign.createdAt,
      keptForSeconds: CAMPAIGN_TTL_SECONDS,
      total: progress.total,
      sent: progress.done,
      failed: progress.failed,
      pending: progress.pending,
      opened: email.opened,
      clicked: email.clicked,
      bounced: email.bounced,
    };
  }),
});
