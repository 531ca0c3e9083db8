// Campaign emails in provider batches. Each recipient is still its own job on the email queue
// (its own message log entry, retry and dead letter); the jobs of one campaign that the worker is
// running at the same time are gathered here into one provider request (SendGrid: up to 1,000
// personalizations), through the failover chain. A recipient the provider refuses fails alone; the
// others are sent, so a retry re-runs only the failed jobs and nothing is sent twice by it.
// A campaign whose content needs more than plain variables is not batched (null: send one by one).
import type { Job, Logger, RedisConnection } from "@notify/queue";
import { PermanentError, RetryableError } from "@notify/queue";
import { campaignJobSchema } from "@notify/queue/notifications";
import { ProvidersUnavailableError } from "../failover/provider-chain.ts";
import type { SentMessage } from "../message-logging.ts";
import type { BatchCapable, BatchEmailRecipient, EmailBatch } from "../providers/batch-types.ts";
import type { EmailMessage, SendResult } from "../providers/types.ts";
import { createStandingLookup } from "../recipient-standing.ts";
import { categoryOf } from "../stored-lookup.ts";
import {
  type CampaignBatchTemplate,
  CampaignBatchTemplates,
  recipientValues,
  substitute,
} from "../templates/campaign-batch-template.ts";
import type { EmailRenderer } from "../templates/email-renderer.ts";
import { Coalescer } from "./coalescer.ts";

/** How long the first job of a batch waits for others to join it. */
export const DEFAULT_BATCH_LINGER_MS = 10;

export interface CampaignBatchOptions {
  redis: RedisConnection;
  provider: { readonly name: string } & BatchCapable<EmailBatch>;
  /** For the per-recipient unsubscribe URL (signed, so it names the job). */
  renderer: Pick<EmailRenderer, "unsubscribeUrl">;
  from: string;
  appName: string;
  logger: Logger;
  /** The provider asked everyone to wait (Retry-After, or its quota is spent until a reset). */
  onRetryAfter?: (ms: number) => void;
  lingerMs?: number;
}

interface Entry {
  template: CampaignBatchTemplate;
  batchId: string | undefined;
  recipient: BatchEmailRecipient;
}

/** One message per recipient, for a provider of the chain that cannot batch. */
export function expandEmailBatch(batch: EmailBatch): EmailMessage[] {
  return batch.recipients.map((recipient) => ({
    jobId: recipient.jobId,
    to: recipient.to,
    from: batch.from,
    subject: recipient.subject,
    html: substitute(batch.html, recipient.substitutions),
    text: substitute(batch.text, recipient.substitutions),
    category: batch.category,
    ...(batch.batchId ? { batchId: batch.batchId } : {}),
    ...(recipient.headers ? { headers: recipient.headers } : {}),
  }));
}

/** Resolves to what was sent, or null when this job is not batched and must be sent on its own. */
export function createCampaignBatcher(options: CampaignBatchOptions): (job: Job) => Promise<SentMessage | null> {
  const { redis, provider, logger } = options;
  const templates = new CampaignBatchTemplates(redis);
  const standing = createStandingLookup(redis);
  const coalescer = new Coalescer<Entry, SendResult | Error>(
    async (_campaign, entries) => {
      const first = entries[0];
      if (!first) return [];
      const reply = await provider.sendBatch({
        from: options.from,
        category: "campaign",
        ...(first.batchId ? { batchId: first.batchId } : {}),
        html: first.template.html,
        text: first.template.text,
        recipients: entries.map((entry) => entry.recipient),
      });
      if (reply.backOffMs !== undefined && reply.backOffMs > 0) options.onRetryAfter?.(reply.backOffMs);
      logger.debug({ provider: provider.name, recipients: entries.length }, "campaign batch sent");
      return reply.outcomes;
    },
    { maxSize: provider.maxBatch, lingerMs: options.lingerMs ?? DEFAULT_BATCH_LINGER_MS },
  );
  let lastRetryAfter = 0;

  return async (job) => {
    const parsed = campaignJobSchema.safeParse(job);
    if (!parsed.success) return null;
    const { to, data } = parsed.data;
    const template = await templates.get(data.campaignId);
    if (!template) return null;
    const category = categoryOf(data, undefined, true);
    const unsubscribeUrl = options.renderer.unsubscribeUrl({ jobId: job.id, to, category, batchId: job.batchId });
    const { suppressed, unsubscribed } = await standing(to, category);
    if (suppressed)
      throw new PermanentError(`recipient is suppressed (${suppressed.reason})`, { reason: "suppressed" });
    if (unsubscribed)
      throw new PermanentError(`recipient unsubscribed from ${category} messages`, { reason: "unsubscribed" });
    // The same context campaign-renderer.ts renders with.
    const context = {
      ...data,
      ...(unsubscribeUrl ? { unsubscribe_url: unsubscribeUrl } : {}),
      app_name: options.appName,
    };
    const { subject, substitutions } = recipientValues(template, context);
    const recipient: BatchEmailRecipient = {
      jobId: job.id,
      to,
      subject,
      substitutions,
      // RFC 8058 one-click, as for single messages.
      ...(unsubscribeUrl
        ? {
            headers: {
              "List-Unsubscribe": `<${unsubscribeUrl}>`,
              "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
          }
        : {}),
    };
    // One batch per campaign: its recipients share the content.
    const outcome = await coalescer.add(data.campaignId, { template, batchId: job.batchId, recipient });
    if (outcome instanceof Error) {
      // Every recipient of a 429'd batch carries the same Retry-After: block the bucket once.
      if (
        outcome instanceof RetryableError &&
        !(outcome instanceof ProvidersUnavailableError) &&
        outcome.retryAfterMs !== undefined &&
        Date.now() - lastRetryAfter > 100
      ) {
        lastRetryAfter = Date.now();
        options.onRetryAfter?.(outcome.retryAfterMs);
      }
      throw outcome;
    }
    const sender = outcome.provider ?? provider.name;
    return { provider: sender, ...(outcome.providerId ? { providerMessageId: outcome.providerId } : {}) };
  };
}
