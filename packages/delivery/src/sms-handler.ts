// Sends one SMS job: find its template (a published stored template overrides the built-in of
// that name), validate the data, check the number against real numbering plans, refuse
// recipients who unsubscribed from the message's category, render, send. Segment counts are
// logged because carriers bill per segment.

import type { Job, Logger, RedisConnection } from "@notify/queue";
import { PermanentError, RetryableError } from "@notify/queue";
import {
  describeIssues,
  isUnsubscribed,
  type SmsTemplate,
  type SmsTemplateData,
  smsJobSchema,
  storedDataIssues,
} from "@notify/queue/notifications";
import { ProvidersUnavailableError } from "./failover/provider-chain.ts";
import type { DeliveryHandler } from "./message-logging.ts";
import { providerCall } from "./provider-span.ts";
import type { SendResult, SmsMessage, SmsProvider } from "./providers/types.ts";
import { contactDirectory, jobDataDirectory, localeFor, type RecipientDirectory } from "./recipient-directory.ts";
import { categoryOf, createLiveTemplates, type LiveTemplates } from "./stored-lookup.ts";
import { normalizeMobile } from "./templates/phone.ts";
import { countSegments } from "./templates/sms-segments.ts";
import { renderSms } from "./templates/sms-templates.ts";
import { renderStoredSms } from "./templates/stored-sms.ts";

export interface SmsHandlerOptions {
  provider: SmsProvider;
  appName: string;
  logger: Logger;
  /** For stored templates and preferences; without it only built-in templates are sent. */
  redis?: RedisConnection;
  onRetryAfter?: (ms: number) => void;
  templates?: LiveTemplates;
  /** Where a recipient's locale comes from (default: the job's `data.locale`, else its contact's). */
  recipients?: RecipientDirectory;
  /** Sends a message of a batch (a job with a batchId) together with others (batching/sms-batches.ts). */
  batches?: (message: SmsMessage) => Promise<SendResult>;
}

const invalid = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  new PermanentError(`invalid sms job: ${describeIssues(issues)}`, { reason: "invalid" });

/** Reports which provider sent the message and its id there, for the message log. */
export function createSmsHandler(options: SmsHandlerOptions): DeliveryHandler {
  const { provider, appName, logger, redis } = options;
  const templates = options.templates ?? (redis ? createLiveTemplates(redis) : undefined);
  const recipients = options.recipients ?? (redis ? contactDirectory(redis) : jobDataDirectory);

  async function textOf(
    job: Job,
  ): Promise<{ to: string; text: string; category: string; data: Record<string, unknown> }> {
    const stored = await templates?.get("sms", job.type);
    if (stored?.channel === "sms") {
      const raw = typeof job.to === "string" ? job.to : typeof job.mobile === "string" ? job.mobile : "";
      const to = normalizeMobile(raw);
      if (!to) throw new PermanentError("recipient is not a valid mobile number", { reason: "invalid_recipient" });
      const issues = storedDataIssues(stored, job.data);
      if (issues.length > 0) throw invalid(issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] })));
      const chosen = await localeFor(recipients, stored.locales, { to, data: job.data, tenant: job.tenant });
      const content = stored.locales[chosen] ?? stored.locales.default;
      if (!content) throw new PermanentError(`template ${stored.name} has no default locale`, { reason: "invalid" });
      const key = `${stored.name}@${stored.version}/${chosen}`;
      return {
        to,
        text: renderStoredSms(key, content.text, job.data, appName),
        category: categoryOf(job.data, stored.category, job.batchId !== undefined),
        data: job.data,
      };
    }
    const parsed = smsJobSchema.safeParse(job);
    if (!parsed.success) throw invalid(parsed.error.issues);
    const to = normalizeMobile(parsed.data.to);
    if (!to) throw new PermanentError("recipient is not a valid mobile number", { reason: "invalid_recipient" });
    const type = parsed.data.type as SmsTemplate;
    const text = renderSms(type, parsed.data.data as SmsTemplateData<typeof type>, appName);
    const data = parsed.data.data as Record<string, unknown>;
    return { to, text, category: categoryOf(data, undefined, job.batchId !== undefined), data };
  }

  return async (job) => {
    const { to, text, category, data } = await textOf(job);
    if (redis && (await isUnsubscribed(redis, to, category)))
      throw new PermanentError(`recipient unsubscribed from ${category} messages`, { reason: "unsubscribed" });
    const segments = countSegments(text);
    try {
      const message = { jobId: job.id, to, text, category: job.type, data };
      const { batches } = options;
      const result = await providerCall(provider.name, "sms", job.id, () =>
        job.batchId !== undefined && batches ? batches(message) : provider.send(message),
      );
      const sender = result.provider ?? provider.name;
      logger.debug(
        { jobId: job.id, type: job.type, to, ...segments, provider: sender, providerId: result.providerId },
        "sms sent",
      );
      return { provider: sender, ...(result.providerId ? { providerMessageId: result.providerId } : {}) };
    } catch (error) {
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
