// What the workers need from a provider: send one message or throw one of the engine's errors
// (PermanentError, RetryableError, HaltQueueError) that say what the failure means.

export interface EmailMessage {
  jobId: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Template name; SendGrid shows it as a category. */
  category: string;
  batchId?: string;
  /** Extra headers, e.g. List-Unsubscribe for mail a recipient can unsubscribe from. */
  headers?: Record<string, string>;
}

export interface SmsMessage {
  jobId: string;
  /** E.164, e.g. +919876543210. */
  to: string;
  text: string;
  category: string;
  /** The job's template data, for providers that send registered templates (MSG91 Flow). */
  data?: Record<string, unknown>;
}

export interface SendResult {
  /** The provider's own id for the message, when it returns one. */
  providerId?: string;
  /** Which provider took it, when a failover chain chose one. */
  provider?: string;
}

export interface EmailProvider {
  readonly name: string;
  send(message: EmailMessage): Promise<SendResult>;
}

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<SendResult>;
}
