// Maps SendGrid Event Webhook events to the email-events worker's jobs. Events we do not act on
// (processed, deferred, group_resubscribe, ...) are acknowledged and counted as ignored.
import { type EmailEventType, emailEventJobSchema } from "@notify/queue/notifications";
import type { z } from "zod";

export type EmailEventJob = z.infer<typeof emailEventJobSchema>;

const EVENT_TYPES: Record<string, EmailEventType> = {
  delivered: "EMAIL_DELIVERED",
  open: "EMAIL_OPENED",
  click: "EMAIL_CLICKED",
  bounce: "EMAIL_BOUNCED",
  dropped: "EMAIL_DROPPED",
  spamreport: "EMAIL_SPAM_REPORT",
  unsubscribe: "EMAIL_UNSUBSCRIBED",
  group_unsubscribe: "EMAIL_UNSUBSCRIBED",
};

function str(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 ? value.slice(0, max) : undefined;
}

/**
 * The job for one SendGrid event, or null when we ignore it or it lacks what the worker needs.
 * The email worker sends our ids as custom_args, which SendGrid echoes at the top level of each event.
 */
export function toEmailEventJob(event: unknown): EmailEventJob | null {
  if (typeof event !== "object" || event === null) return null;
  const e = event as Record<string, unknown>;
  const type = typeof e.event === "string" ? EVENT_TYPES[e.event] : undefined;
  if (!type) return null;
  const seconds = typeof e.timestamp === "number" ? e.timestamp : Number.NaN;
  const bounceType = e.event === "bounce" ? (e.type === "blocked" ? "soft" : "hard") : undefined;
  const candidate = {
    type,
    data: {
      recipient: str(e.email, 320),
      timestamp: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : Date.now(),
      jobId: str(e.job_id, 200) ?? str(e.jobId, 200),
      batchId: str(e.batch_id, 200) ?? str(e.batchId, 200),
      url: str(e.url, 2048),
      reason: str(e.reason, 1000) ?? str(e.response, 1000),
      bounceType,
      providerEventId: str(e.sg_event_id, 200),
    },
  };
  const parsed = emailEventJobSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}
