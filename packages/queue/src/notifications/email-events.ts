// Email events (seed 000) travel through their own queue to the email-events worker.
import { z } from "zod";
import { categorySchema } from "./stored-templates.ts";

export const EMAIL_EVENTS_QUEUE = "email_events";

export const EMAIL_EVENT_TYPES = [
  "EMAIL_DELIVERED",
  "EMAIL_OPENED",
  "EMAIL_CLICKED",
  "EMAIL_BOUNCED",
  "EMAIL_DROPPED",
  "EMAIL_SPAM_REPORT",
  "EMAIL_UNSUBSCRIBED",
] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export const emailEventDataSchema = z.object({
  recipient: z.string().min(1).max(320),
  timestamp: z.number().int().positive(),
  /** The email job this event is about (SendGrid custom_args / tracking token). */
  jobId: z.string().max(200).optional(),
  batchId: z.string().max(200).optional(),
  url: z.string().max(2048).optional(),
  /** Hard or soft bounce, provider reason, etc. */
  reason: z.string().max(1000).optional(),
  bounceType: z.enum(["hard", "soft"]).optional(),
  providerEventId: z.string().max(200).optional(),
  /**
   * An unsubscribe from one category on this project's own page (the API has recorded the
   * preference): unlike a provider's unsubscribe, it does not suppress the address.
   */
  category: categorySchema.optional(),
});
export type EmailEventData = z.infer<typeof emailEventDataSchema>;

export const emailEventJobSchema = z.object({ type: z.enum(EMAIL_EVENT_TYPES), data: emailEventDataSchema });
