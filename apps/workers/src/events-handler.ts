// The email-events worker's handler (seed 000): keeps per-batch aggregates and the suppression
// list. Both updates are idempotent, so an event handled twice changes nothing the second time.

import type { RedisConnection } from "@notify/queue";
import { type Handler, PermanentError } from "@notify/queue";
import {
  type EmailEventType,
  emailEventJobSchema,
  recordEmailEvent,
  type SuppressionReason,
  suppress,
} from "@notify/queue/notifications";
import { describeIssues } from "./email-handler.ts";
import type { Logger } from "./logger.ts";

/** Which events stop further email to the address. Soft bounces and drops do not. */
export function suppressionFor(type: EmailEventType, bounceType?: "hard" | "soft"): SuppressionReason | null {
  switch (type) {
    case "EMAIL_BOUNCED":
      return bounceType === "soft" ? null : "hard_bounce";
    case "EMAIL_SPAM_REPORT":
      return "spam_report";
    case "EMAIL_UNSUBSCRIBED":
      return "unsubscribe";
    case "EMAIL_DELIVERED":
    case "EMAIL_OPENED":
    case "EMAIL_CLICKED":
    case "EMAIL_DROPPED":
      return null;
  }
}

export function createEventsHandler(options: { redis: RedisConnection; logger: Logger }): Handler {
  const { redis, logger } = options;
  return async (job) => {
    const parsed = emailEventJobSchema.safeParse(job);
    if (!parsed.success)
      throw new PermanentError(`invalid email event: ${describeIssues(parsed.error)}`, { reason: "invalid" });
    const event = parsed.data;
    const eventId = event.data.providerEventId ?? job.id;
    const { counted } = await recordEmailEvent(redis, event, eventId);
    const reason = suppressionFor(event.type, event.data.bounceType);
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
