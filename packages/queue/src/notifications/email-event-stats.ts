// Email aggregates fed by the email-events worker (seed 000): totals by event type for every
// event, and per batch delivered, unique opens (HyperLogLog of recipients), clicks, bounces,
// drops. Batch figures live in the batch hash of the email queue, where withEmailCounters
// (email-batches.ts) names them for a batch's progress;
// the totals in one small hash beside it (one field per event type). Each event counts at most
// once: a marker per event id is set first, so an event re-run after a crash never counts twice
// (a crash between the marker and the counters under-counts that one event instead).
import type { RedisConnection } from "../connection.ts";
import { queueKeys } from "../keys.ts";
import { EMAIL_EVENT_TYPES, type EmailEventData, type EmailEventType } from "./email-events.ts";
import { EMAIL_QUEUE } from "./email-jobs.ts";
import { emailKeys } from "./keys.ts";

const BATCH_TTL_SECONDS = 7 * 86_400;
const MARKER_TTL_SECONDS = 2 * 86_400;
/** Long enough for a late daily aggregation, a re-run or a month's look back. */
const DAY_TTL_SECONDS = 35 * 86_400;

/** The UTC day (YYYY-MM-DD) of a time in ms; a time no Date can hold counts as now. */
export function utcDay(ms: number): string {
  const date = new Date(ms);
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().slice(0, 10);
}

const COUNTER: Partial<Record<EmailEventType, string>> = {
  EMAIL_DELIVERED: "delivered",
  EMAIL_CLICKED: "clicked",
  EMAIL_BOUNCED: "bounced",
  EMAIL_DROPPED: "dropped",
  EMAIL_SPAM_REPORT: "spam_reports",
  EMAIL_UNSUBSCRIBED: "unsubscribed",
};

export interface RecordResult {
  /** False when the event was already counted. */
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
  const keys = queueKeys(EMAIL_QUEUE);
  const first = await redis.set(keys.idempotency(`event:${eventId}`), "1", "EX", MARKER_TTL_SECONDS, "NX");
  if (first === null) return { counted: false };
  const tx = redis.multi();
  tx.hincrby(emailKeys().eventCounts, event.type, 1);
  // The day the event happened, not the day it was counted: a late webhook lands on its own day.
  const day = utcDay(event.data.timestamp);
  const onDay = emailKeys().eventCountsOnDay(day);
  tx.hincrby(onDay, event.type, 1).expire(onDay, DAY_TTL_SECONDS);
  if (event.type === "EMAIL_OPENED") {
    const opensOnDay = emailKeys().opensOnDay(day);
    tx.pfadd(opensOnDay, recipient.toLowerCase()).expire(opensOnDay, DAY_TTL_SECONDS);
  }
  if (batchId) {
    const batchesOnDay = emailKeys().batchesOnDay(day);
    tx.sadd(batchesOnDay, batchId).expire(batchesOnDay, DAY_TTL_SECONDS);
  }
  if (!batchId) {
    await tx.exec();
    return { counted: true };
  }
  const batch = keys.batch(batchId);
  if (event.type === "EMAIL_OPENED") {
    const opens = emailKeys().batchOpens(batchId);
    tx.pfadd(opens, recipient.toLowerCase()).expire(opens, BATCH_TTL_SECONDS);
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
    redis.pfcount(emailKeys().batchOpens(batchId)),
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

/** Every event counted so far, by type (types never seen count 0). */
export async function emailEventCounts(redis: RedisConnection): Promise<Record<EmailEventType, number>> {
  const fields = await redis.hgetall(emailKeys().eventCounts);
  return Object.fromEntries(EMAIL_EVENT_TYPES.map((type) => [type, Number(fields[type] ?? 0)])) as Record<
    EmailEventType,
    number
  >;
}
