// One place that turns a provider's HTTP reply into what the queue should do with the job.
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";

/** Retry-After is seconds or an HTTP date; SendGrid also sends X-RateLimit-Reset (epoch seconds). */
export function retryAfterMs(headers: Record<string, unknown>, now = Date.now()): number | undefined {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  };
  const retryAfter = header("retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = Number(header("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return undefined;
}

export interface HttpFailure {
  provider: string;
  status: number;
  message: string;
  headers?: Record<string, unknown>;
}

/** The error to throw for a non-success HTTP status. */
export function errorForStatus({ provider, status, message, headers = {} }: HttpFailure): Error {
  const text = `${provider} ${status}: ${message}`.slice(0, 1000);
  if (status === 401 || status === 403) {
    return new HaltQueueError(`${provider} rejected the credentials (${status}): ${message}`.slice(0, 1000));
  }
  if (status === 429) return new RetryableError(text, { retryAfterMs: retryAfterMs(headers) });
  if (status === 408 || status >= 500) return new RetryableError(text);
  return new PermanentError(text, { reason: "rejected" });
}

/** Network failures (refused, reset, timed out) are worth retrying. */
export function networkError(provider: string, error: unknown): RetryableError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new RetryableError(`${provider} unreachable${typeof code === "string" ? ` (${code})` : ""}: ${message}`, {
    cause: error,
  });
}
