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

/**
 * A retryable failure where the provider certainly did not take the message: it answered 408,
 * 429 or 5xx, or the connection was refused. A failover chain hands such a message to the next
 * provider at once; a timeout or a reset is not one of these (the message may have gone out, and
 * sending it through another provider would send it twice), so it waits for its retry.
 */
export class NotSentError extends RetryableError {}

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
  if (status === 429) return new NotSentError(text, { retryAfterMs: retryAfterMs(headers) });
  if (status === 408 || status >= 500) return new NotSentError(text);
  return new PermanentError(text, { reason: "rejected" });
}

// Node's fetch puts the code on the cause, Bun's on the error; Bun spells it its own way.
const REFUSED = new Set(["ECONNREFUSED", "ConnectionRefused", "ENOTFOUND", "EAI_AGAIN"]);

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Network failures (refused, reset, timed out) are worth retrying. */
export function networkError(provider: string, error: unknown): RetryableError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const text = `${provider} unreachable${code ? ` (${code})` : ""}: ${message}`.slice(0, 1000);
  return code && REFUSED.has(code)
    ? new NotSentError(text, { cause: error })
    : new RetryableError(text, { cause: error });
}
