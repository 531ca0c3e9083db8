// Seed 000's email events, as its tracking endpoints RPUSH them to `email_events`: one flat JSON
// object per event, {id, type, campaignId, recipient, timestamp, url} and, for a new user,
// {email, name, group}. The events worker takes these as they are and turns them into the
// project's own event ({type, data}), so they are aggregated exactly like SendGrid's and the
// tracking pixel's events. campaignId is the batch the event belongs to.
import { z } from "zod";
import { EMAIL_EVENT_TYPES, type EmailEventData, type EmailEventType } from "./email-events.ts";

/** The new user a seed event announces (its email, name and group). */
export interface NewUser {
  email: string;
  name?: string;
  group: string;
  /** The campaign the user came from, when the event names one. */
  campaignId?: string;
  at: number;
}

export interface SeedEmailEvent {
  type: EmailEventType;
  data: EmailEventData;
  newUser?: NewUser;
}

/** Where a new user lands when its event names no group. */
export const DEFAULT_GROUP = "default";

// Seed 000 wrote Date.now() (ms) in its code and 1234567890 (s) in its docs: below this a
// timestamp is taken as seconds. 1e11 ms is 1973; 1e11 s is far beyond any real date.
const SECONDS_BELOW = 100_000_000_000;

const timestampSchema = z.union([
  z.number().finite().positive(),
  z.string().refine((text) => !Number.isNaN(Date.parse(text)), "must be a number or an ISO date"),
]);

const optionalText = (max: number) => z.string().trim().max(max).optional();

export const seedEmailEventSchema = z
  .looseObject({
    // The seed's own three types and the project's others; lower case is accepted too.
    type: z.preprocess((value) => (typeof value === "string" ? value.toUpperCase() : value), z.enum(EMAIL_EVENT_TYPES)),
    campaignId: optionalText(200),
    recipient: optionalText(320),
    timestamp: timestampSchema.optional(),
    url: z.string().max(2048).optional(),
    email: optionalText(320),
    name: optionalText(200),
    group: optionalText(100),
  })
  .refine((event) => Boolean(event.recipient || event.email), {
    message: "needs recipient (or email, for a new user)",
    path: ["recipient"],
  });

export function toMillis(timestamp: number | string | undefined, fallback: number): number {
  if (timestamp === undefined) return fallback;
  const value = typeof timestamp === "number" ? timestamp : Date.parse(timestamp);
  return Math.round(value < SECONDS_BELOW ? value * 1000 : value);
}

/** True when a job looks like seed 000's flat event rather than the project's {type, data}. */
export function isSeedEmailEvent(job: { data?: unknown; [field: string]: unknown }): boolean {
  const data = job.data as Record<string, unknown> | undefined;
  const hasProjectData = typeof data === "object" && data !== null && "recipient" in data;
  return !hasProjectData && ("recipient" in job || "campaignId" in job || "email" in job);
}

export type SeedParse = { ok: true; event: SeedEmailEvent } | { ok: false; issues: z.core.$ZodIssue[] };

/** Parses a flat seed event; `now` stands in for a missing timestamp. */
export function parseSeedEmailEvent(job: unknown, now = Date.now()): SeedParse {
  const parsed = seedEmailEventSchema.safeParse(job);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues };
  const seed = parsed.data;
  const at = toMillis(seed.timestamp, now);
  const recipient = (seed.recipient || seed.email) as string;
  const data: EmailEventData = {
    recipient,
    timestamp: at,
    ...(seed.campaignId ? { batchId: seed.campaignId } : {}),
    ...(seed.url ? { url: seed.url } : {}),
  };
  const event: SeedEmailEvent = { type: seed.type, data };
  if (seed.email) {
    event.newUser = {
      email: seed.email,
      group: seed.group || DEFAULT_GROUP,
      at,
      ...(seed.name ? { name: seed.name } : {}),
      ...(seed.campaignId ? { campaignId: seed.campaignId } : {}),
    };
  }
  return { ok: true, event };
}
