// Sends one email job: validate against its template, refuse suppressed recipients, render, send.
// Delivery is at least once (see the engine's worker); the job id travels to the provider so a
// rare duplicate can be traced.

import type { RedisConnection } from "@notify/queue";
import { type Handler, PermanentError, RetryableError } from "@notify/queue";
import { type EmailTemplate, emailJobSchema, isSuppressed } from "@notify/queue/notifications";
import type { Logger } from "./logger.ts";
import type { EmailProvider } from "./providers/types.ts";
import type { EmailRenderer } from "./templates/email-renderer.ts";

export interface EmailHandlerOptions {
  redis: RedisConnection;
  renderer: EmailRenderer;
  provider: EmailProvider;
  from: string;
  logger: Logger;
  /** Called when the provider asks everyone to back off (429 with Retry-After). */
  onRetryAfter?: (ms: number) => void;
}

export function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

export function createEmailHandler(options: EmailHandlerOptions): Handler {
  const { redis, renderer, provider, from, logger } = options;
  return async (job) => {
    const parsed = emailJobSchema.safeParse(job);
    if (!parsed.success)
      throw new PermanentError(`invalid email job: ${describeIssues(parsed.error)}`, { reason: "invalid" });
    const { type, to, data } = parsed.data as { type: EmailTemplate; to: string; data: Record<string, unknown> };
    // The suppression lookup is a Redis round trip: render meanwhile.
    const [suppressed, rendered] = await Promise.all([
      isSuppressed(redis, to),
      (async () => renderer.render({ type, data, jobId: job.id, to, batchId: job.batchId }))(),
    ]);
    if (suppressed)
      throw new PermanentError(`recipient is suppressed (${suppressed.reason})`, { reason: "suppressed" });
    try {
      const result = await provider.send({
        jobId: job.id,
        to,
        from,
        category: type,
        batchId: job.batchId,
        ...rendered,
      });
      logger.debug({ jobId: job.id, type, to, providerId: result.providerId }, "email sent");
    } catch (error) {
      if (error instanceof RetryableError && error.retryAfterMs !== undefined)
        options.onRetryAfter?.(error.retryAfterMs);
      throw error;
    }
  };
}
