// Newsletters with their own content (seed 002's campaigns): subject, HTML (MJML compiled by the
// caller) and text with {{variables}}, stored once per campaign beside the email queue, and one
// small job per recipient on the email queue that names the campaign and carries only that
// recipient's personalizations. The campaign id is the batch id, so progress is the batch's.
import { z } from "zod";
import type { RedisConnection } from "../connection.ts";
import type { PushOptions } from "../producer.ts";
import { Queue } from "../queue.ts";
import { EMAIL_QUEUE, emailAddressSchema } from "./email-jobs.ts";
import { emailKeys } from "./keys.ts";
import { heldOptions } from "./quiet-hours.ts";

/** The job type of one campaign email on the email queue. */
export const CAMPAIGN_JOB_TYPE = "campaign";
/** Kept as long as a batch's progress is. */
export const CAMPAIGN_TTL_SECONDS = 7 * 86_400;
export const MAX_CAMPAIGN_HTML_BYTES = 512 * 1024;
export const MAX_CAMPAIGN_TEXT_BYTES = 128 * 1024;

const campaignIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "use 1-100 letters, digits, '_', '-', '.' or ':'");
const variablesSchema = z.record(z.string().max(100), z.unknown());

export const campaignContentSchema = z.object({
  subject: z.string().trim().min(1).max(250),
  /** HTML with {{variables}} (HTML-escaped when rendered); MJML is compiled to this first. */
  html: z.string().min(1).max(MAX_CAMPAIGN_HTML_BYTES),
  text: z.string().max(MAX_CAMPAIGN_TEXT_BYTES).optional(),
});
export type CampaignContent = z.infer<typeof campaignContentSchema>;

/** One campaign email: which campaign, and the recipient's own variables. */
export const campaignJobSchema = z.object({
  type: z.literal(CAMPAIGN_JOB_TYPE),
  to: emailAddressSchema,
  data: variablesSchema.and(z.object({ campaignId: campaignIdSchema })),
});

export interface StoredCampaign extends CampaignContent {
  id: string;
  createdAt: number;
  tenant: string | null;
}

const campaignKey = (id: string) => emailKeys().campaign(id);

export async function saveCampaign(
  redis: RedisConnection,
  campaign: { id: string; content: CampaignContent; tenant?: string },
): Promise<void> {
  const { subject, html, text } = campaignContentSchema.parse(campaign.content);
  const key = campaignKey(campaignIdSchema.parse(campaign.id));
  const fields: Record<string, string | number> = { subject, html, text: text ?? "", createdAt: Date.now() };
  if (campaign.tenant !== undefined) fields.tenant = campaign.tenant;
  await redis.multi().hset(key, fields).expire(key, CAMPAIGN_TTL_SECONDS).exec();
}

export async function loadCampaign(redis: RedisConnection, id: string): Promise<StoredCampaign | null> {
  if (!campaignIdSchema.safeParse(id).success) return null;
  const fields = await redis.hgetall(campaignKey(id));
  if (!fields.subject || fields.html === undefined) return null;
  return {
    id,
    subject: fields.subject,
    html: fields.html,
    ...(fields.text ? { text: fields.text } : {}),
    createdAt: Number(fields.createdAt ?? 0),
    tenant: fields.tenant ?? null,
  };
}

export interface CampaignSend {
  content: CampaignContent;
  /** Each recipient's personalizations are merged over the shared `data`. */
  recipients: { to: string; personalizations?: Record<string, unknown> }[];
  data?: Record<string, unknown>;
  /** Recipients per push round trip (seed 002's batchSize). */
  batchSize?: number;
  campaignId?: string;
  tenant?: string;
  options?: Omit<PushOptions, "id" | "idempotencyKey" | "batchId" | "tenant">;
  /** Per recipient, when quiet hours let it go (ms); undefined or 0: now. */
  releases?: readonly (number | undefined)[];
}

/** Stores the content, then queues one job per recipient under the campaign's batch id. */
export async function sendCampaign(
  redis: RedisConnection,
  send: CampaignSend,
): Promise<{ campaignId: string; count: number }> {
  const email = await Queue.open(EMAIL_QUEUE, { connection: redis });
  // A batch made here numbers its jobs across the pushes below, so they carry it in their ids.
  const batch = email.openBatch(send.campaignId);
  const campaignId = batch.batchId;
  await saveCampaign(redis, {
    id: campaignId,
    content: send.content,
    ...(send.tenant !== undefined ? { tenant: send.tenant } : {}),
  });
  const jobs = send.recipients.map((recipient) =>
    campaignJobSchema.parse({
      type: CAMPAIGN_JOB_TYPE,
      to: recipient.to,
      data: { ...send.data, ...recipient.personalizations, campaignId },
    }),
  );
  // Recipients leaving quiet hours at different moments: one push per moment, under the one batch
  // id, over the email queue's partitions (QUEUE_PARTITIONS or the registry), so a campaign spreads.
  const byRelease = new Map<number, typeof jobs>();
  for (const [index, job] of jobs.entries()) {
    const release = send.releases?.[index] ?? 0;
    const group = byRelease.get(release) ?? [];
    group.push(job);
    byRelease.set(release, group);
  }
  const now = Date.now();
  let count = 0;
  for (const [release, group] of byRelease) {
    const options = {
      ...heldOptions(send.options ?? {}, release || undefined, now),
      chunkSize: Math.max(1, Math.min(send.batchSize ?? 1_000, 10_000)),
      ...(send.tenant !== undefined ? { tenant: send.tenant } : {}),
    };
    count += (await batch.pushBulk(group, options)).count;
  }
  return { campaignId, count };
}
