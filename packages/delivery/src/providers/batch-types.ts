// What a provider that takes many recipients in one request (SendGrid personalizations, SES bulk,
// MSG91 Flow's recipients array) needs, and what it answers: one outcome per recipient, in order,
// so each recipient's job can be acked, retried or dead-lettered on its own.
import type { EmailProvider, SendResult, SmsProvider } from "./types.ts";

/** One recipient of a batched email: the parts of the message that differ per recipient. */
export interface BatchEmailRecipient {
  jobId: string;
  to: string;
  subject: string;
  /** Token → this recipient's value; the shared html/text carry the tokens. */
  substitutions: Record<string, string>;
  headers?: Record<string, string>;
}

/** One provider request's worth of email: content shared, recipients each with their own values. */
export interface EmailBatch {
  from: string;
  /** Template or campaign name; SendGrid shows it as a category. */
  category: string;
  batchId?: string;
  html: string;
  text: string;
  recipients: BatchEmailRecipient[];
}

export interface BatchSmsRecipient {
  jobId: string;
  /** E.164. */
  to: string;
  /** The rendered text, for providers that send text rather than a registered template. */
  text: string;
  data?: Record<string, unknown>;
}

export interface SmsBatch {
  /** The template name, which chooses the provider's registered template. */
  category: string;
  recipients: BatchSmsRecipient[];
}

/**
 * One outcome per recipient, in the batch's order: a result (sent) or the error that recipient
 * alone failed with. A failure of the whole request is thrown instead.
 */
export interface BatchReply {
  outcomes: (SendResult | Error)[];
  /** The provider said its quota is spent until then (SendGrid's X-RateLimit-Remaining 0). */
  backOffMs?: number;
}

export interface BatchCapable<B> {
  /** Recipients one request may carry. */
  readonly maxBatch: number;
  sendBatch(batch: B): Promise<BatchReply>;
}

export type BatchEmailProvider = EmailProvider & BatchCapable<EmailBatch>;
export type BatchSmsProvider = SmsProvider & BatchCapable<SmsBatch>;

export function canBatch<P extends object, B>(provider: P): provider is P & BatchCapable<B> {
  return typeof (provider as Partial<BatchCapable<B>>).sendBatch === "function";
}
