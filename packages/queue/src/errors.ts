// How a handler tells the worker what a failure means. Anything else thrown counts as retryable.

/** The job can never succeed as it is (bad address, unknown template, 4xx): dead-letter it now. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  /** Short machine-readable reason stored with the dead letter, e.g. "suppressed". */
  readonly reason: string;
  readonly details?: unknown;
  constructor(message: string, options: { reason?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.reason = options.reason ?? "failed";
    this.details = options.details;
  }
}

/** A passing failure (network, timeout, 429, 5xx): retry with backoff, or after `retryAfterMs`. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
  readonly retryAfterMs?: number;
  readonly details?: unknown;
  constructor(message: string, options: { retryAfterMs?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

/**
 * Going on would burn through the queue (the provider rejects our credentials): the job is handed
 * back untouched and the queue is paused with this message until an operator resumes it.
 */
export class HaltQueueError extends Error {
  override readonly name = "HaltQueueError";
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** Redis refused a write because it reached maxmemory under the noeviction policy. */
export function isOutOfMemoryError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("OOM ");
}
