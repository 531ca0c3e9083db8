// What a failed run means for its job, decided apart from any Redis write so the rules read in
// one place: the worker (a handler threw) and recovery (the worker died) both follow them.
import { backoffDelay } from "./backoff.ts";
import { errorMessage, HaltQueueError, PermanentError, RetryableError } from "./errors.ts";
import type { Backoff, Job } from "./job.ts";

export interface RetryPolicy {
  maxAttempts: number;
  backoff: Backoff;
}

export type FailureOutcome =
  /** Hand the job back untouched and pause the queue (e.g. the provider rejects our credentials). */
  | { kind: "halt"; message: string }
  /** Dead-letter it with the attempt counted. */
  | { kind: "dead"; reason: string; message: string; job: Job }
  /** Run it again after `delayMs`, with the attempt counted. */
  | { kind: "retry"; delayMs: number; message: string; job: Job };

/** Runs a job may have, first included: its own limit, or the worker's. */
export function attemptsAllowed(job: Job, policy: RetryPolicy): number {
  return job.maxAttempts ?? policy.maxAttempts;
}

/** The job as it is stored after a failed attempt. */
export function afterFailedAttempt(job: Job, message: string, now: number): Job {
  return { ...job, attempts: job.attempts + 1, lastError: message, failedAt: now };
}

/**
 * PermanentError dead-letters at once (with its reason); anything else retries with backoff, or
 * after the RetryableError's retryAfterMs, until the attempts are spent ("exhausted").
 */
export function decideFailure(
  job: Job,
  error: unknown,
  policy: RetryPolicy,
  now = Date.now(),
  random = Math.random,
): FailureOutcome {
  const message = errorMessage(error);
  if (error instanceof HaltQueueError) return { kind: "halt", message };
  const failed = afterFailedAttempt(job, message, now);
  if (error instanceof PermanentError) return { kind: "dead", reason: error.reason, message, job: failed };
  if (failed.attempts >= attemptsAllowed(job, policy)) {
    return { kind: "dead", reason: "exhausted", message, job: failed };
  }
  const retryAfter = error instanceof RetryableError ? error.retryAfterMs : undefined;
  const delayMs = Math.max(1, retryAfter ?? backoffDelay(job.backoff ?? policy.backoff, failed.attempts, random));
  if (isExpired(job, now + delayMs)) {
    return { kind: "dead", reason: "expired", message: `${message}; expired before the next attempt`, job: failed };
  }
  return { kind: "retry", delayMs, message, job: failed };
}

/** A job past its expiresAt is dead-lettered, never sent: a late OTP is worse than none. */
export function isExpired(job: Pick<Job, "expiresAt">, now: number): boolean {
  return job.expiresAt !== undefined && now >= job.expiresAt;
}
