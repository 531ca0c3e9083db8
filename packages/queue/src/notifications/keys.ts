// The Redis keys of the email layer, built from the email queue's own keys so they share its hash
// tag (one Cluster slot) and the engine core's key builder knows nothing of email.
import { queueKeys } from "../keys.ts";
import type { SourceList } from "../source-lists.ts";
import { EMAIL_EVENTS_QUEUE } from "./email-events.ts";
import { EMAIL_QUEUE } from "./email-jobs.ts";
import { SMS_QUEUE } from "./sms-jobs.ts";

export interface EmailKeys {
  /** Addresses that must not be sent to again (hard bounce, spam report, unsubscribe): address -> reason JSON. */
  readonly suppressed: string;
  /** Messages of a batch whose first open (`o:<job id>`) or click (`c:<job id>`) was counted. */
  trackedInBatch(batchId: string): string;
  /** HyperLogLog of the recipients who opened a batch's emails (unique opens). */
  batchOpens(batchId: string): string;
  /** The same for mail outside a batch, one set per UTC day (days since the epoch). */
  trackedOnDay(day: number): string;
  /** Email events counted once each, by type: type -> count (at most one field per event type). */
  readonly eventCounts: string;
  /** The same, for events that happened on one UTC day (YYYY-MM-DD), for the analytics queue. */
  eventCountsOnDay(day: string): string;
  /** HyperLogLog of the recipients who opened any email on one UTC day. */
  opensOnDay(day: string): string;
  /** The batches (campaigns) that had at least one event on one UTC day. */
  batchesOnDay(day: string): string;
  /** A campaign's content (subject, html, text, createdAt, tenant); its id is its batch id. */
  campaign(id: string): string;
}

export function emailKeys(prefix?: string): EmailKeys {
  const base = queueKeys(EMAIL_QUEUE, prefix).pending;
  return {
    suppressed: `${base}:suppressed`,
    eventCounts: `${base}:events:by_type`,
    eventCountsOnDay: (day) => `${base}:events:day:${day}`,
    opensOnDay: (day) => `${base}:events:day:${day}:opens`,
    batchesOnDay: (day) => `${base}:events:day:${day}:batches`,
    trackedInBatch: (batchId) => `${base}:batch:${batchId}:tracked`,
    batchOpens: (batchId) => `${base}:batch:${batchId}:opens`,
    trackedOnDay: (day) => `${base}:tracked:${day}`,
    campaign: (id) => `${base}:campaign:${id}`,
  };
}

export interface TemplateKeys {
  /** Sorted set of stored templates (`<channel>:<name>`) by their last change (ms). */
  readonly index: string;
  /** Hash of one template: draft, live (the published copy), published, latest and v:<n> versions. */
  template(channel: string, name: string): string;
  /** String: a random token replaced by every publish, rollback and delete, so readers can cache `live`. */
  readonly liveVersion: string;
}

/** Stored templates, in the email queue's slot (single-key commands only, so any slot would do). */
export function templateKeys(prefix?: string): TemplateKeys {
  const base = `${queueKeys(EMAIL_QUEUE, prefix).pending}:templates`;
  return {
    index: base,
    template: (channel, name) => `${base}:${channel}:${name}`,
    liveVersion: `${base}:live-version`,
  };
}

export interface PreferenceKeys {
  /** Hash of recipient (lower-cased address or E.164 number) -> JSON {category: unsubscribed at}. */
  readonly unsubscribed: string;
  /** Capped list of suppressions removed by an operator, newest first, with the reason given. */
  readonly suppressionRemovals: string;
}

export function preferenceKeys(prefix?: string): PreferenceKeys {
  const base = queueKeys(EMAIL_QUEUE, prefix).pending;
  return { unsubscribed: `${base}:unsubscribed`, suppressionRemovals: `${base}:suppressed:removed` };
}

export interface NewUserKeys {
  /** Totals of seed 000's new users: added, updated, overflow (the users are contacts). */
  readonly counts: string;
}

export function newUserKeys(prefix?: string): NewUserKeys {
  return { counts: `${queueKeys(EMAIL_EVENTS_QUEUE, prefix).pending}:new_users:counts` };
}

export interface ContactKeys {
  /** One contact's JSON record. */
  contact(id: string): string;
  /** Every contact id (score 0), for paging in id order. */
  readonly ids: string;
  /** Lower-cased email -> contact id. */
  readonly byEmail: string;
  /** E.164 phone number -> contact id (for an SMS's recipient). */
  readonly byPhone: string;
  /** Ids of one group's contacts. */
  group(name: string): string;
  /** Group names in use. */
  readonly groups: string;
}

/** The contact store: one slot of its own (`{contacts}`), read by the email worker and the API. */
export function contactKeys(prefix = "queue"): ContactKeys {
  const base = `${prefix}:{contacts}`;
  return {
    contact: (id) => `${base}:c:${id}`,
    ids: `${base}:ids`,
    byEmail: `${base}:by_email`,
    byPhone: `${base}:by_phone`,
    group: (name) => `${base}:group:${name}`,
    groups: `${base}:groups`,
  };
}

/**
 * The keys the seeds' own producers push to, consumed by the workers beside the queues' own lists
 * (standalone Redis; see source-lists.ts): seed 004's `RPUSH queue:email` / `queue:sms`, seed
 * 003's `LPUSH email_queue` and seed 000's `RPUSH email_events`.
 */
export const SEED_SOURCE_LISTS: Readonly<Record<string, readonly SourceList[]>> = {
  [EMAIL_QUEUE]: [
    { key: "queue:email", pushedWith: "RPUSH" },
    // Seed 003's Go producer LPUSHes its EmailJob: moved from the tail, so the oldest goes first.
    { key: "email_queue", pushedWith: "LPUSH" },
  ],
  [SMS_QUEUE]: [{ key: "queue:sms", pushedWith: "RPUSH" }],
  [EMAIL_EVENTS_QUEUE]: [{ key: "email_events", pushedWith: "RPUSH" }],
};
