// The email view of a batch: the engine's progress (done, failed, pending) plus what recipients
// did with its messages, which the email-events worker counts into the same batch hash and the
// unique-opens HyperLogLog beside it (email-event-stats.ts). The engine core gives those
// counters no meaning; this is where they get their names.
import type { RedisConnection } from "../connection.ts";
import type { BatchProgress } from "../queue.ts";
import { EMAIL_QUEUE } from "./email-jobs.ts";
import { emailKeys } from "./keys.ts";

export interface EmailBatchProgress extends BatchProgress {
  delivered: number;
  /** Unique opens: recipients who opened, not open events. */
  opened: number;
  clicked: number;
  bounced: number;
}

/**
 * Adds the email counters to one batch of queue `queueName`. Only the email queue's batches get
 * email events, so any other queue's read 0 without a round trip.
 */
export async function withEmailCounters(
  redis: RedisConnection,
  queueName: string,
  batch: BatchProgress,
): Promise<EmailBatchProgress> {
  const opened = queueName === EMAIL_QUEUE ? await redis.pfcount(emailKeys().batchOpens(batch.batchId)) : 0;
  const { delivered = 0, clicked = 0, bounced = 0 } = batch.counters;
  return { ...batch, delivered, opened, clicked, bounced };
}
