import type { Backoff } from "./job.ts";

/** The longest wait of a backoff that names no cap of its own. */
const DEFAULT_MAX_DELAY_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1-based): exponential or fixed, with +-25% jitter so retries
 * of a burst spread out, never longer than the backoff's cap.
 */
export function backoffDelay(backoff: Backoff, attempt: number, random = Math.random): number {
  const base = backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, backoff.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
  return Math.round(capped * (0.75 + random() * 0.5));
}
