// Seed 004's advice, "alert if the DLQ passes 100 jobs", as DLQ_ALERT_THRESHOLD (default 100,
// 0 = off): a queue holding more dead letters is flagged in /health (a warning; the check still
// passes, nothing is down), in /metrics (notify_dead_letter_alert) and on the admin's pages.
export function overThreshold(dead: number, threshold: number): boolean {
  return threshold > 0 && dead > threshold;
}

/** The warning /health and the admin show for a queue over the threshold. */
export function deadLetterWarning(queue: string, dead: number, threshold: number): string {
  return `${queue} holds ${dead} dead letters, over DLQ_ALERT_THRESHOLD=${threshold}: look at them (dlq.list) and retry or purge`;
}
