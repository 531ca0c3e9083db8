// Resend (seed 001's provider) through its official client, `resend`. The client never throws on
// an HTTP error: it returns { error: { statusCode, name, message }, headers }, which classify.ts
// turns into what the queue does (429 with Retry-After and 5xx retried, 401/403 halt the queue,
// other 4xx dead-letter). A reply that never came (refused, reset, timed out) has no status and is
// retried. The job id is the Idempotency-Key, so a job re-run after a crash is not sent twice by
// Resend within its idempotency window, and a tag, so webhook events lead back to the job.
import { Resend } from "resend";
import { errorForStatus, networkError } from "./classify.ts";
import type { EmailMessage, EmailProvider, SendResult } from "./types.ts";

export const RESEND_API_URL = "https://api.resend.com";

export interface ResendOptions {
  apiKey: string;
  /** Defaults to Resend's API host; tests point it at the local stand-in. */
  baseUrl?: string;
  timeoutMs: number;
}

// Resend tag values allow only ASCII letters, digits, '_' and '-' (256 at most).
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 256);

// Resend's idempotency keys are at most 256 characters.
const idempotencyKey = (jobId: string) => `notify-${jobId}`.slice(0, 256);

export function createResendProvider(options: ResendOptions): EmailProvider {
  const client = new Resend(options.apiKey, { baseUrl: (options.baseUrl ?? RESEND_API_URL).replace(/\/$/, "") });

  return {
    name: "resend",
    async send(message: EmailMessage): Promise<SendResult> {
      const tags = [
        { name: "job_id", value: tagValue(message.jobId) },
        { name: "category", value: tagValue(message.category) },
        ...(message.batchId ? [{ name: "batch_id", value: tagValue(message.batchId) }] : []),
      ];
      const { data, error, headers } = await client.emails.send(
        {
          from: message.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          tags,
          ...(message.headers ? { headers: message.headers } : {}),
        },
        { idempotencyKey: idempotencyKey(message.jobId), signal: AbortSignal.timeout(options.timeoutMs) },
      );
      if (!error) return { providerId: data?.id };
      if (typeof error.statusCode !== "number") throw networkError("resend", new Error(error.message));
      throw errorForStatus({
        provider: "resend",
        status: error.statusCode,
        message: [error.name, error.message].filter(Boolean).join(": ") || "no message",
        headers: headers ?? {},
      });
    },
  };
}
