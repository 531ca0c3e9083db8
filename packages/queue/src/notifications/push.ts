// Seed 004's push_email_job / push_sms_job: validate against the template, then push.

import type { RedisConnection } from "../connection.ts";
import type { PushOptions, PushResult } from "../producer.ts";
import { Queue } from "../queue.ts";
import { EMAIL_EVENTS_QUEUE, type EmailEventData, type EmailEventType, emailEventJobSchema } from "./email-events.ts";
import { EMAIL_QUEUE, type EmailJobInput, emailJobSchema } from "./email-jobs.ts";
import { SMS_QUEUE, type SmsJobInput, smsJobSchema } from "./sms-jobs.ts";
import { smsPushDefaults } from "./template-jobs.ts";

const queues = new WeakMap<RedisConnection, Map<string, Promise<Queue>>>();

/** The queue as the deployment runs it (QUEUE_PARTITIONS, else the registered count), opened once. */
function queueFor(redis: RedisConnection, name: string): Promise<Queue> {
  const byName = queues.get(redis) ?? new Map<string, Promise<Queue>>();
  queues.set(redis, byName);
  let opening = byName.get(name);
  if (opening === undefined) {
    opening = Queue.open(name, { connection: redis });
    // A failed lookup (Redis away) is asked again by the next push.
    opening.catch(() => byName.delete(name));
    byName.set(name, opening);
  }
  return opening;
}

/** Throws a ZodError naming the bad field when the template, address or data is wrong. */
export async function pushEmailJob(
  redis: RedisConnection,
  job: EmailJobInput,
  options?: PushOptions,
): Promise<PushResult> {
  const valid = emailJobSchema.parse(job);
  return (await queueFor(redis, EMAIL_QUEUE)).push(valid, options);
}

/** OTPs are urgent and expire after OTP_TTL_MS unless the caller says otherwise. */
export async function pushSmsJob(
  redis: RedisConnection,
  job: SmsJobInput,
  options: PushOptions = {},
): Promise<PushResult> {
  const valid = smsJobSchema.parse(job);
  return (await queueFor(redis, SMS_QUEUE)).push(valid, { ...options, ...smsPushDefaults(valid.type, options) });
}

export async function pushEmailEvent(
  redis: RedisConnection,
  type: EmailEventType,
  data: EmailEventData,
  options?: PushOptions,
): Promise<PushResult> {
  const valid = emailEventJobSchema.parse({ type, data });
  return (await queueFor(redis, EMAIL_EVENTS_QUEUE)).push(valid, options);
}
