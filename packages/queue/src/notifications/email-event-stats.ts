// Per-batch email aggregates fed by the email-events worker (seed 000): delivered, unique opens
// (HyperLogLog of recipients), clicks, bounces, drops. They live in the batch hash of the email
// queue, where Queue.batch() reads them. Each event counts at most once: a marker per event id is
// set first, so an event re-run after a crash never counts twice (a crash between the marker and
// the counters under-counts that one event instead).
import type { RedisConnection } from "../connection.ts";
import { queueKeys } from "../keys.ts";
import type { EmailEventData, EmailEventType } from "./email-events.ts";
import { EMAIL_QUEUE } from "./email-jobs.ts";

const BATCH_TTL_SECONDS = 7 * 86_400;
const MARKER_TTL_SECONDS = 2 * 86_400;

const COUNTER: Partial<Record<EmailEventType, string>> = {
  EMAIL_DELIVERED: "delivered",
  EMAIL_CLICKED: "clicked",
  EMAIL_BOUNCED: "bounced",
  EMAIL_DROPPED: "dropped",
  EMAIL_SPAM_REPORT: "spam_reports",
  EMAIL_UNSUBSCRIBED: "unsubscribed",
};

export interface RecordResult {
  /** False when the event had no batch or was already counted. */
  counted: boolean;
}

/**
 * Adds one event to its batch's aggregates. `eventId` identifies the event (provider event id or
 * the event job's id) so a re-run does not count it again.
 */
export async function recordEmailEvent(
  redis: RedisConnection,
  event: { type: EmailEventType; data: EmailEventData },
  eventId: string,
): Promise<RecordResult> {
  const { batchId, recipient } = event.data;
  if (!batchId) return { counted: false };
  const keys = queueKeys(EMAIL_QUEUE);
  const first = await redis.set(keys.idempotency(`event:${eventId}`), "1", "EX", MARKER_TTL_SECONDS, "NX");
  if (first === null) return { counted: false };
  const batch = keys.batch(batchId);
  const tx = redis.multi();
  if (event.type === "EMAIL_OPENED") {
    tx.pfadd(keys.batchOpens(batchId), recipient.toLowerCase()).expire(keys.batchOpens(batchId), BATCH_TTL_SECONDS);
    tx.hincrby(batch, "opens", 1);
  }
  const counter = COUNTER[event.type];
  if (counter) tx.hincrby(batch, counter, 1);
  tx.expire(batch, BATCH_TTL_SECONDS);
  await tx.exec();
  return { counted: true };
}

export interface EmailEventStats {
  delivered: number;
  uniqueOpens: number;
  opens: number;
  clicked: number;
  bounced: number;
  dropped: number;
  spamReports: number;
  unsubscribed: number;
}

export async function emailEventStats(redis: RedisConnection, batchId: string): Promise<EmailEventStats> {
  const keys = queueKeys(EMAIL_QUEUE);
  const [fields, uniqueOpens] = await Promise.all([
    redis.hgetall(keys.batch(batchId)),
    redis.pfcount(keys.batchOpens(batchId)),
  ]);
  const n = (field: string) => Number(fields[field] ?? 0);
  return {
    delivered: n("delivered"),
    uniqueOpens,
    opens: n("opens"),
    clicked: n("clicked"),
    bounced: n("bounced"),
    dropped: n("dropped"),
    spamReports: n("spam_reports"),
    unsubscribed: n("unsubscribed"),
  };
}
