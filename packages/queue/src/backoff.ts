import type { Backoff } from "./job.ts";

const MAX_DELAY_MS = 3_600_000;

/** Delay before retry number `attempt` (1-based): exponential or fixed, with +-25% jitter so retries of a burst spread out. */
export function backoffDelay(backoff: Backoff, attempt: number, random = Math.random): number {
  const base = backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, attempt - 1);
  const jittered = base * (0.75 + random() * 0.5);
  return Math.min(MAX_DELAY_MS, Math.round(jittered));
}
