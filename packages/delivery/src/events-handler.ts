// The email-events worker's handler (seed 000): keeps totals by type, per-batch aggregates and
// the suppression list, counts SMS delivery reports by type, and puts both kinds of event on their
// message's timeline and to the status webhooks. Every update is idempotent, so an event handled
// twice changes nothing the second time. It takes the project's own {type, data} events and seed 000's flat ones as its
// producer RPUSHes them to `email_events` ({id, type, campaignId, recipient, timestamp, url} and
// {email, name, group} for a new user, recorded in that group).

import type { Logger, RedisConnection } from "@notify/queue";
import { type Handler, PermanentError } from "@notify/queue";
import {
  describeIssues,
  type EmailEventData,
  type EmailEventType,
  emailEventJobSchema,
  fanOutMessageEvent,
  isSeedEmailEvent,
  isSmsEventJob,
  type MessageLogOptions,
  type MessageStatus,
  messageIdByProviderId,
  type NewUser,
  parseSeedEmailEvent,
  recordEmailEvent,
  recordMessageEvent,
  recordNewUser,
  recordSmsEvent,
  type SmsEventJob,
  type SuppressionReason,
  smsEventJobSchema,
  suppress,
} from "@notify/queue/notifications";

/**
 * Which events stop further email to the address. Soft bounces and drops do not, nor does an
 * unsubscribe from one category (the unsubscribe page's: it stops that category only).
 */
export function suppressionFor(
  type: EmailEventType,
  bounceType?: "hard" | "soft",
  category?: string,
): SuppressionReason | null {
  switch (type) {
    case "EMAIL_BOUNCED":
      return bounceType === "soft" ? null : "hard_bounce";
    case "EMAIL_SPAM_REPORT":
      return "spam_report";
    case "EMAIL_UNSUBSCRIBED":
      return category === undefined ? "unsubscribe" : null;
    case "EMAIL_DELIVERED":
    case "EMAIL_OPENED":
    case "EMAIL_CLICKED":
    case "EMAIL_DROPPED":
      return null;
  }
}

interface IncomingEvent {
  type: EmailEventType;
  data: EmailEventData;
  newUser?: NewUser;
}

/** The event in a job of either shape; a job that is neither is a permanent failure with the reason. */
export function eventOf(job: Record<string, unknown>): IncomingEvent {
  if (isSeedEmailEvent(job)) {
    const seed = parseSeedEmailEvent(job);
    if (!seed.ok)
      throw new PermanentError(`invalid email event: ${describeIssues(seed.issues)}`, { reason: "invalid" });
    return seed.event;
  }
  const parsed = emailEventJobSchema.safeParse(job);
  if (!parsed.success)
    throw new PermanentError(`invalid email event: ${describeIssues(parsed.error.issues)}`, { reason: "invalid" });
  return parsed.data;
}

type ProviderStatus = Exclude<MessageStatus, "sending" | "retrying" | "sent" | "failed">;

/** The message log's name for each provider event, and the webhook event type it becomes. */
const STATUS_OF: Record<EmailEventType, ProviderStatus> = {
  EMAIL_DELIVERED: "delivered",
  EMAIL_OPENED: "opened",
  EMAIL_CLICKED: "clicked",
  EMAIL_BOUNCED: "bounced",
  EMAIL_DROPPED: "dropped",
  EMAIL_SPAM_REPORT: "spam_report",
  EMAIL_UNSUBSCRIBED: "unsubscribed",
};

/** Adds a provider event to a logged message's timeline and announces it to the subscribed status webhooks. */
async function addToTimeline(
  redis: RedisConnection,
  input: { jobId: string; type: ProviderStatus; at: number; detail: Record<string, string>; eventId: string },
  log: MessageLogOptions,
) {
  const { jobId, type, at, detail } = input;
  const message = await recordMessageEvent(redis, { jobId, event: { type, at, ...detail } }, log);
  if (message)
    await fanOutMessageEvent(redis, {
      type: `message.${type}`,
      eventKey: `${jobId}.${type}.${input.eventId}`,
      message,
      event: { type, at: new Date(at).toISOString(), ...detail },
    });
}

/** An email event reaches its message's timeline when it names the message's job and the log still holds it. */
async function logMessageEvent(redis: RedisConnection, event: IncomingEvent, eventId: string, log: MessageLogOptions) {
  const { jobId } = event.data;
  if (!jobId) return;
  const at = event.data.timestamp < 1e11 ? event.data.timestamp * 1000 : event.data.timestamp;
  const detail = {
    ...(event.data.url ? { url: event.data.url } : {}),
    ...(event.data.reason ? { reason: event.data.reason } : {}),
    ...(event.data.bounceType ? { bounceType: event.data.bounceType } : {}),
    ...(event.data.category ? { category: event.data.category } : {}),
  };
  await addToTimeline(redis, { jobId, type: STATUS_OF[event.type], at, detail, eventId }, log);
}

/** The logged SMS a report names by the provider's id; MSG91's is "<request id>:<number>", a send records the request id. */
async function reportedMessage(redis: RedisConnection, data: SmsEventJob["data"]): Promise<string | null> {
  const id = data.providerMessageId;
  if (!id) return null;
  const cut = id.lastIndexOf(":");
  return messageIdByProviderId(redis, data.provider === "msg91" && cut > 0 ? id.slice(0, cut) : id);
}

/**
 * An SMS delivery report reaches its message's timeline by the job id the provider echoed, else by
 * the provider's message id the send recorded. A carrier's refusal is the SMS's `bounced`.
 */
async function logSmsReport(redis: RedisConnection, event: SmsEventJob, eventId: string, log: MessageLogOptions) {
  const { data } = event;
  const jobId = data.jobId ?? (await reportedMessage(redis, data));
  if (!jobId) return;
  const type = event.type === "SMS_DELIVERED" ? "delivered" : "bounced";
  const reason = data.reason ?? (type === "bounced" ? `${data.provider} status ${data.status}` : undefined);
  await addToTimeline(redis, { jobId, type, at: data.timestamp, detail: reason ? { reason } : {}, eventId }, log);
}

export function createEventsHandler(options: {
  redis: RedisConnection;
  logger: Logger;
  messageLog?: MessageLogOptions;
}): Handler {
  const { redis, logger } = options;
  return async (job) => {
    // SMS delivery reports (MSG91, Twilio) share the queue.
    if (isSmsEventJob(job)) {
      const parsed = smsEventJobSchema.safeParse(job);
      if (!parsed.success)
        throw new PermanentError(`invalid sms event: ${describeIssues(parsed.error.issues)}`, { reason: "invalid" });
      const eventId = `${parsed.data.data.provider}:${parsed.data.data.providerMessageId ?? job.id}:${parsed.data.type}`;
      const counted = await recordSmsEvent(redis, parsed.data, eventId);
      if (counted) await logSmsReport(redis, parsed.data, eventId, options.messageLog ?? {});
      logger.debug({ eventId, type: parsed.data.type, counted }, "sms event recorded");
      return;
    }
    const event = eventOf(job);
    if (event.newUser) {
      const outcome = await recordNewUser(redis, event.newUser);
      logger.debug({ group: event.newUser.group, outcome }, "new user recorded");
    }
    const eventId = event.data.providerEventId ?? job.id;
    const { counted } = await recordEmailEvent(redis, event, eventId);
    // Only the first handling of an event reaches the timeline and the webhooks.
    if (counted) await logMessageEvent(redis, event, eventId, options.messageLog ?? {});
    const reason = suppressionFor(event.type, event.data.bounceType, event.data.category);
    if (reason) {
      const added = await suppress(redis, event.data.recipient, reason, {
        detail: event.data.reason,
        at: event.data.timestamp,
      });
      if (added) logger.info({ recipient: event.data.recipient, reason }, "address suppressed");
    }
    logger.debug({ eventId, type: event.type, batchId: event.data.batchId, counted }, "email event recorded");
  };
}
