// Sends one SMS job: validate against its template, check the number against real numbering
// plans, render, send. Segment counts are logged because carriers bill per segment.
import { type Handler, PermanentError, RetryableError } from "@notify/queue";
import { type SmsTemplate, type SmsTemplateData, smsJobSchema } from "@notify/queue/notifications";
import { describeIssues } from "./email-handler.ts";
import type { Logger } from "./logger.ts";
import type { SmsProvider } from "./providers/types.ts";
import { normalizeMobile } from "./templates/phone.ts";
import { countSegments } from "./templates/sms-segments.ts";
import { renderSms } from "./templates/sms-templates.ts";

export interface SmsHandlerOptions {
  provider: SmsProvider;
  appName: string;
  logger: Logger;
  onRetryAfter?: (ms: number) => void;
}

export function createSmsHandler(options: SmsHandlerOptions): Handler {
  const { provider, appName, logger } = options;
  return async (job) => {
    const parsed = smsJobSchema.safeParse(job);
    if (!parsed.success)
      throw new PermanentError(`invalid sms job: ${describeIssues(parsed.error)}`, { reason: "invalid" });
    const to = normalizeMobile(parsed.data.to);
    if (!to) throw new PermanentError("recipient is not a valid mobile number", { reason: "invalid_recipient" });
    const type = parsed.data.type as SmsTemplate;
    const text = renderSms(type, parsed.data.data as SmsTemplateData<typeof type>, appName);
    const segments = countSegments(text);
    try {
      const result = await provider.send({ jobId: job.id, to, text, category: type });
      logger.debug({ jobId: job.id, type, to, ...segments, providerId: result.providerId }, "sms sent");
    } catch (error) {
      if (error instanceof RetryableError && error.retryAfterMs !== undefined)
        options.onRetryAfter?.(error.retryAfterMs);
      throw error;
    }
  };
}
