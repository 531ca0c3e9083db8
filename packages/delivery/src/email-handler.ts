// Sends one email job: find its template (a published stored template overrides the built-in of
// that name), validate the data against it, refuse suppressed recipients and recipients who
// unsubscribed from the message's category, render, send, and report which provider took it.
// Seed 003's EmailJob (no type of its own) is expanded into one such job per contact instead.
// Delivery is at least once (see the engine's worker); the job id travels to the provider so a
// rare duplicate can be traced.

import type { Job, Logger, RedisConnection } from "@notify/queue";
import { PermanentError, RetryableError } from "@notify/queue";
import {
  CAMPAIGN_JOB_TYPE,
  campaignJobSchema,
  describeIssues,
  type EmailTemplateResolver,
  emailAddressSchema,
  emailJobSchema,
  expandSeedEmailJob,
  type LiveTemplate,
  SEED_EMAIL_JOB_TYPE,
  storedDataIssues,
} from "@notify/queue/notifications";
import { ProvidersUnavailableError } from "./failover/provider-chain.ts";
import type { DeliveryHandler, SentMessage } from "./message-logging.ts";
import { providerCall } from "./provider-span.ts";
import type { EmailProvider } from "./providers/types.ts";
import { contactDirectory, localeFor, type RecipientDirectory } from "./recipient-directory.ts";
import { createStandingLookup } from "./recipient-standing.ts";
import { categoryOf, createLiveTemplates, type LiveTemplates } from "./stored-lookup.ts";
import type { CampaignRenderer } from "./templates/campaign-renderer.ts";
import type { EmailRenderer, RenderedEmail } from "./templates/email-renderer.ts";

export interface EmailHandlerOptions {
  redis: RedisConnection;
  renderer: EmailRenderer;
  provider: EmailProvider;
  from: string;
  logger: Logger;
  /** Renders campaign jobs (their own content, stored per campaign); without it they are refused. */
  campaigns?: CampaignRenderer;
  /** Called when the provider asks everyone to back off (429 with Retry-After). */
  onRetryAfter?: (ms: number) => void;
  /** Where seed 003's template_id is looked up (default: the built-in templates by name). */
  seedTemplates?: EmailTemplateResolver;
  /** Stored templates (default: read from `redis` through a short cache). */
  templates?: LiveTemplates;
  /** Where a recipient's locale comes from (default: the job's `data.locale`, else its contact's). */
  recipients?: RecipientDirectory;
  /** Sends campaign jobs in provider batches (batching/campaign-batches.ts); null: send this one alone. */
  campaignBatches?: (job: Job) => Promise<SentMessage | null>;
}

interface Prepared {
  to: string;
  category: string;
  render: (unsubscribeUrl: string | undefined) => Promise<RenderedEmail>;
}

const invalid = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  new PermanentError(`invalid email job: ${describeIssues(issues)}`, { reason: "invalid" });

/** Reports which provider sent the message and its id there, for the message log. */
export function createEmailHandler(options: EmailHandlerOptions): DeliveryHandler {
  const { redis, renderer, provider, from, logger } = options;
  const templates = options.templates ?? createLiveTemplates(redis);
  const recipients = options.recipients ?? contactDirectory(redis);
  const standing = createStandingLookup(redis);

  async function prepareStored(job: Job, template: Extract<LiveTemplate, { channel: "email" }>): Promise<Prepared> {
    const to = emailAddressSchema.safeParse(job.to);
    if (!to.success) throw invalid(to.error.issues.map((issue) => ({ ...issue, path: ["to"] })));
    const issues = storedDataIssues(template, job.data);
    if (issues.length > 0) throw invalid(issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] })));
    const chosen = await localeFor(recipients, template.locales, { to: to.data, data: job.data, tenant: job.tenant });
    const content = template.locales[chosen] ?? template.locales.default;
    if (!content) throw new PermanentError(`template ${template.name} has no default locale`, { reason: "invalid" });
    const category = categoryOf(job.data, template.category, job.batchId !== undefined);
    const input = { type: job.type, data: job.data, jobId: job.id, to: to.data, batchId: job.batchId, category };
    return {
      to: to.data,
      category,
      render: (unsubscribeUrl) =>
        renderer.renderStored(`${template.name}@${template.version}/${chosen}`, content, { ...input, unsubscribeUrl }),
    };
  }

  /** Seed 002's newsletters: content stored once per campaign, rendered with each recipient's data. */
  function prepareCampaign(job: Job): Prepared {
    const parsed = campaignJobSchema.safeParse(job);
    if (!parsed.success)
      throw new PermanentError(`invalid campaign job: ${describeIssues(parsed.error.issues)}`, { reason: "invalid" });
    const { campaigns } = options;
    if (!campaigns) throw new PermanentError("campaign jobs are not served here", { reason: "invalid" });
    const { to, data } = parsed.data;
    const category = categoryOf(data, undefined, true);
    // Campaign content may link {{unsubscribe_url}}, as stored templates do.
    const render = (unsubscribeUrl: string | undefined) =>
      campaigns.render(data.campaignId, unsubscribeUrl ? { ...data, unsubscribe_url: unsubscribeUrl } : data);
    return { to, category, render };
  }

  function prepareBuiltIn(job: Job): Prepared {
    const parsed = emailJobSchema.safeParse(job);
    if (!parsed.success) throw invalid(parsed.error.issues);
    const { type, to, data } = parsed.data as { type: string; to: string; data: Record<string, unknown> };
    const category = categoryOf(data, undefined, job.batchId !== undefined);
    return {
      to,
      category,
      render: async (unsubscribeUrl) =>
        renderer.render({ type, data, jobId: job.id, to, batchId: job.batchId, category, unsubscribeUrl }),
    };
  }

  return async (job) => {
    if (job.type === SEED_EMAIL_JOB_TYPE) {
      // Seed 003's EmailJob: one message per contact, queued in this same queue.
      const seed = options.seedTemplates ? { templates: options.seedTemplates } : {};
      const expanded = await expandSeedEmailJob(redis, job, seed);
      logger.info({ jobId: job.id, ...expanded }, "EmailJob expanded into one email per contact");
      return undefined;
    }
    if (job.type === CAMPAIGN_JOB_TYPE && options.campaignBatches) {
      const sent = await options.campaignBatches(job);
      if (sent) return sent;
    }
    const stored = job.type === CAMPAIGN_JOB_TYPE ? undefined : await templates.get("email", job.type);
    const prepared =
      job.type === CAMPAIGN_JOB_TYPE
        ? prepareCampaign(job)
        : stored?.channel === "email"
          ? await prepareStored(job, stored)
          : prepareBuiltIn(job);
    const { to, category } = prepared;
    const unsubscribeUrl = renderer.unsubscribeUrl({ jobId: job.id, to, category, batchId: job.batchId });
    // The preference lookups are Redis round trips: render meanwhile.
    const [{ suppressed, unsubscribed }, rendered] = await Promise.all([
      standing(to, category),
      prepared.render(unsubscribeUrl),
    ]);
    if (suppressed)
      throw new PermanentError(`recipient is suppressed (${suppressed.reason})`, { reason: "suppressed" });
    if (unsubscribed)
      throw new PermanentError(`recipient unsubscribed from ${category} messages`, { reason: "unsubscribed" });
    // RFC 8058 one-click: mailbox providers POST "List-Unsubscribe=One-Click" to the URL.
    const headers = unsubscribeUrl
      ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
      : undefined;
    try {
      const result = await providerCall(provider.name, "email", job.id, () =>
        provider.send({
          jobId: job.id,
          to,
          from,
          category: job.type,
          batchId: job.batchId,
          ...rendered,
          ...(headers ? { headers } : {}),
        }),
      );
      const sender = result.provider ?? provider.name;
      logger.debug(
        { jobId: job.id, type: job.type, to, provider: sender, providerId: result.providerId },
        "email sent",
      );
      return { provider: sender, ...(result.providerId ? { providerMessageId: result.providerId } : {}) };
    } catch (error) {
      // A chain waiting for a breaker is not the provider asking everyone to slow down.
      if (
        error instanceof RetryableError &&
        !(error instanceof ProvidersUnavailableError) &&
        error.retryAfterMs !== undefined
      )
        options.onRetryAfter?.(error.retryAfterMs);
      throw error;
    }
  };
}
