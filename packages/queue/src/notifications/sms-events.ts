// SMS delivery reports (MSG91's delivery-report webhook, Twilio's status callback) travel as jobs
// through the events queue beside the email events, and are counted once each by type. Only
// final outcomes are kept: delivered, or failed with the carrier's reason; "queued", "sent" and
// other passing states are acknowledged by the webhook and not queued.
import { z } from "zod";
import type { RedisConnection } from "../connection.ts";
import { queueKeys } from "../keys.ts";
import { SMS_QUEUE } from "./sms-jobs.ts";

export const SMS_EVENT_TYPES = ["SMS_DELIVERED", "SMS_FAILED"] as const;
export type SmsEventType = (typeof SMS_EVENT_TYPES)[number];

export const smsEventDataSchema = z.object({
  /** E.164 or the provider's digits-only form. */
  recipient: z.string().min(3).max(32),
  timestamp: z.number().int().positive(),
  provider: z.enum(["msg91", "twilio"]),
  /** The provider's id for the message (Twilio's MessageSid, MSG91's request id). */
  providerMessageId: z.string().max(200).optional(),
  /** The SMS job this report is about, when the provider echoes it. */
  jobId: z.string().max(200).optional(),
  /** The provider's own status word or code, e.g. "undelivered", "16". */
  status: z.string().max(64),
  reason: z.string().max(1000).optional(),
});
export type SmsEventData = z.infer<typeof smsEventDataSchema>;

export const smsEventJobSchema = z.object({ type: z.enum(SMS_EVENT_TYPES), data: smsEventDataSchema });
export type SmsEventJob = z.infer<typeof smsEventJobSchema>;

export const isSmsEventJob = (job: Record<string, unknown>): boolean =>
  typeof job.type === "string" && (SMS_EVENT_TYPES as readonly string[]).includes(job.type);

// Providers retry a report they think was not received: one count per event for a day.
const MARKER_TTL_SECONDS = 24 * 3600;
const countsKey = () => `${queueKeys(SMS_QUEUE).pending}:events:by_type`;

/** Counts one report once (by `eventId`); false when it was counted before. */
export async function recordSmsEvent(
  redis: RedisConnection,
  event: { type: SmsEventType; data: SmsEventData },
  eventId: string,
): Promise<boolean> {
  const first = await redis.set(
    queueKeys(SMS_QUEUE).idempotency(`event:${eventId}`),
    "1",
    "EX",
    MARKER_TTL_SECONDS,
    "NX",
  );
  if (first === null) return false;
  await redis.hincrby(countsKey(), event.type, 1);
  return true;
}

/** Reports counted so far by type (every type present, 0 when none). */
export async function smsEventCounts(redis: RedisConnection): Promise<Record<SmsEventType, number>> {
  const raw = await redis.hgetall(countsKey());
  return Object.fromEntries(SMS_EVENT_TYPES.map((type) => [type, Number(raw[type] ?? 0)])) as Record<
    SmsEventType,
    number
  >;
}
