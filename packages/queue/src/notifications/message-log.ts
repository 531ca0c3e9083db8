// The message log: one record per email or SMS with its timeline (each attempt, sent, then the
// provider's delivered / opened / clicked / bounced ... events), kept MESSAGE_LOG_DAYS within a
// cap on the number of messages. It is written by the delivery handlers when an attempt ends and
// by the events worker, never on the enqueue path: what "enqueued" says (when, by which tenant,
// with which idempotency key) is in the envelope the first attempt sees, so producers (the API,
// Python, redis-cli) pay nothing and the bench's hot path is untouched. A message still waiting
// for its first attempt is found by the queue's own search, not here.
import type { RedisConnection } from "../connection.ts";
import { type Job, jobCreatedAt } from "../job.ts";
import { type AttemptRecordArgs, recordAttemptsScript, recordMessageEventScript } from "../scripts.ts";
import { MESSAGE_INDEXES, type MessageIndex, messageKeys } from "./message-keys.ts";

export const DEFAULT_MESSAGE_LOG_DAYS = 7;
// About 2.3 KB a message with its indexes (docs/messages.md): 50,000 is about 115 MB.
export const DEFAULT_MESSAGE_LOG_MAX = 50_000;
/** Timeline events kept per message: a message clicked a thousand times keeps its latest ones. */
export const MAX_EVENTS_PER_MESSAGE = 50;
/** Ids kept per value of an index (one recipient, one batch): older ones stay findable by time. */
const MAX_PER_INDEX_VALUE = 10_000;
const MAX_TEXT = 1_000;

export interface MessageLogOptions {
  retentionDays?: number;
  maxMessages?: number;
}

export type MessageStatus =
  | "sending"
  | "retrying"
  | "sent"
  | "failed"
  | "delivered"
  | "opened"
  | "clicked"
  | "bounced"
  | "dropped"
  | "spam_report"
  | "unsubscribed";

export interface AttemptRecord {
  /** 1 for the first run of this message, counted across retries from dead letters. */
  attempt: number;
  startedAt: number;
  endedAt: number;
  outcome: "sent" | "retry" | "failed" | "halted";
  error?: string;
  provider?: string;
  providerMessageId?: string;
}

export type TimelineEvent =
  | ({ type: "attempt" } & AttemptRecord & { durationMs: number; at: number })
  | { type: "retried_from_dead_letters"; at: number }
  | {
      type: Exclude<MessageStatus, "sending" | "retrying" | "sent" | "failed">;
      at: number;
      url?: string;
      reason?: string;
      bounceType?: "hard" | "soft";
      /** The category an `unsubscribed` from the unsubscribe page was for. */
      category?: string;
    };

export interface MessageSummary {
  id: string;
  queue: string;
  channel: "email" | "sms";
  to: string;
  template: string;
  tenant?: string;
  idempotencyKey?: string;
  batchId?: string;
  enqueuedAt: number;
  /** Runs so far, every one counted once, across retries from dead letters. */
  attempts: number;
  status: MessageStatus;
  provider?: string;
  providerMessageId?: string;
  lastError?: string;
  updatedAt: number;
}

export interface LoggedMessage extends MessageSummary {
  events: TimelineEvent[];
}

/**
 * How far along a message is: provider events arrive out of order, and the status shows the
 * furthest one (a late "opened" after "clicked" stays on the timeline but leaves the status).
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  sending: 0,
  retrying: 1,
  sent: 2,
  failed: 2,
  delivered: 3,
  opened: 4,
  clicked: 5,
  bounced: 6,
  dropped: 6,
  spam_report: 6,
  unsubscribed: 6,
};

const dayMs = 86_400_000;
const clip = (text: string | undefined) => (text === undefined ? undefined : text.slice(0, MAX_TEXT));
/** Index values are case-insensitive (addresses) and bounded (a key name is not a payload). */
export const indexValue = (value: string) => value.trim().toLowerCase().slice(0, 320);

function retentionMs(options: MessageLogOptions): number {
  return (options.retentionDays ?? DEFAULT_MESSAGE_LOG_DAYS) * dayMs;
}

function statusOf(attempt: AttemptRecord): MessageStatus {
  switch (attempt.outcome) {
    case "sent":
      return "sent";
    case "failed":
      return "failed";
    case "retry":
    case "halted":
      return "retrying";
  }
}

/** The summary fields the envelope gives: the same on every attempt. */
function envelopeFields(job: Job, queue: string, channel: "email" | "sms"): Record<string, string> {
  const fields: Record<string, string> = {
    id: job.id,
    queue,
    channel,
    to: String(job.to ?? ""),
    template: job.type,
    enqueuedAt: String(jobCreatedAt(job) ?? Date.now()),
  };
  if (typeof job.tenant === "string") fields.tenant = job.tenant;
  if (job.idempotencyKey) fields.idempotencyKey = job.idempotencyKey;
  if (job.batchId) fields.batchId = job.batchId;
  return fields;
}

export interface RecordAttemptInput {
  job: Job;
  queue: string;
  channel: "email" | "sms";
  attempt: Omit<AttemptRecord, "attempt">;
}

/**
 * The run a job is on, counted once and truly: runs before a retry from dead letters
 * (`priorAttempts`) plus the runs of this round (`attempts`, recoveries of a dead worker
 * included), plus this one. 1 for a first-time success.
 */
export function attemptNumber(job: Job): number {
  const prior = typeof job.priorAttempts === "number" ? job.priorAttempts : 0;
  return prior + (job.attempts ?? 0) + 1;
}

/** Attempts written in one script call at most: bounds the call's size and Lua's unpack(). */
const MAX_ATTEMPTS_PER_CALL = 500;

/** One attempt as the script takes it, and the summary it leaves. */
function attemptRecord(input: RecordAttemptInput): { args: AttemptRecordArgs; summary: Record<string, string> } {
  const { job, queue, channel } = input;
  const keys = messageKeys();
  const fields = envelopeFields(job, queue, channel);
  const attempt = attemptNumber(job);
  const record: AttemptRecord = { ...input.attempt, attempt, error: clip(input.attempt.error) };
  const summary: Record<string, string> = {
    ...fields,
    attempts: String(attempt),
    status: statusOf(record),
    statusRank: String(STATUS_RANK[statusOf(record)]),
    updatedAt: String(record.endedAt),
  };
  if (record.provider) summary.provider = record.provider;
  if (record.providerMessageId) summary.providerMessageId = record.providerMessageId;
  if (record.error) summary.lastError = record.error;

  const events: TimelineEvent[] = [];
  // Seen once per retry from dead letters: on the first run of the new round.
  if (typeof job.retriedFromDeadLetterAt === "number" && (job.attempts ?? 0) === 0)
    events.push({ type: "retried_from_dead_letters", at: job.retriedFromDeadLetterAt });
  events.push({ type: "attempt", ...record, durationMs: record.endedAt - record.startedAt, at: record.endedAt });

  const indexed: Partial<Record<MessageIndex, string>> = summary;
  const indexes: string[] = [];
  for (const field of MESSAGE_INDEXES) {
    const value = indexed[field];
    if (value) indexes.push(keys.index(field, indexValue(value)));
  }
  const args = {
    message: keys.message(job.id),
    events: keys.events(job.id),
    indexes,
    id: job.id,
    enqueuedAt: Number(fields.enqueuedAt),
    summary,
    timeline: events.map((e) => JSON.stringify(e)),
  };
  return { args, summary };
}

/**
 * Writes finished attempts, the summary, the timeline and the indexes of each message, in one
 * script call (recordAttempts-9.lua) per few hundred, each call atomic. Returns each message's
 * summary as it now stands, in the order given.
 */
export async function recordAttempts(
  redis: RedisConnection,
  inputs: readonly RecordAttemptInput[],
  options: MessageLogOptions = {},
): Promise<MessageSummary[]> {
  const records = inputs.map(attemptRecord);
  const call = { all: messageKeys().all, ttlSeconds: Math.ceil(retentionMs(options) / 1000) };
  for (let from = 0; from < records.length; from += MAX_ATTEMPTS_PER_CALL)
    await recordAttemptsScript(redis, {
      ...call,
      eventsCap: MAX_EVENTS_PER_MESSAGE,
      perIndexCap: MAX_PER_INDEX_VALUE,
      messages: records.slice(from, from + MAX_ATTEMPTS_PER_CALL).map((r) => r.args),
    });
  await pruneSometimes(redis, options);
  return records.map((r) => decodeSummary(r.summary));
}

/** One finished attempt: recordAttempts with one message. */
export async function recordAttempt(
  redis: RedisConnection,
  input: RecordAttemptInput,
  options: MessageLogOptions = {},
): Promise<MessageSummary> {
  const [summary] = await recordAttempts(redis, [input], options);
  if (!summary) throw new Error("recordAttempts returned no summary");
  return summary;
}

export interface MessageEventInput {
  jobId: string;
  event: Exclude<TimelineEvent, { type: "attempt" | "retried_from_dead_letters" }>;
}

/**
 * Adds a provider event (delivered, opened, bounced ...) to a logged message. Returns the
 * message's summary, or null when the log does not hold it (expired, or never sent by us).
 */
export async function recordMessageEvent(
  redis: RedisConnection,
  { jobId, event }: MessageEventInput,
  options: MessageLogOptions = {},
): Promise<MessageSummary | null> {
  const keys = messageKeys();
  const stored = { ...event, reason: clip(event.reason), url: clip(event.url) };
  const moved = await recordMessageEventScript(redis, {
    message: keys.message(jobId),
    events: keys.events(jobId),
    status: event.type,
    rank: STATUS_RANK[event.type],
    at: event.at,
    event: JSON.stringify(stored),
    maxEvents: MAX_EVENTS_PER_MESSAGE,
    ttlSeconds: Math.ceil(retentionMs(options) / 1000),
  });
  if (moved === -1) return null;
  const fields = await redis.hgetall(keys.message(jobId));
  return Object.keys(fields).length > 0 ? decodeSummary(fields) : null;
}

export function decodeSummary(fields: Record<string, string>): MessageSummary {
  const optional = (name: string) => (fields[name] ? { [name]: fields[name] } : {});
  return {
    id: fields.id ?? "",
    queue: fields.queue ?? "",
    channel: fields.channel === "sms" ? "sms" : "email",
    to: fields.to ?? "",
    template: fields.template ?? "",
    enqueuedAt: Number(fields.enqueuedAt ?? 0),
    attempts: Number(fields.attempts ?? 0),
    status: (fields.status ?? "sending") as MessageStatus,
    updatedAt: Number(fields.updatedAt ?? 0),
    ...optional("tenant"),
    ...optional("idempotencyKey"),
    ...optional("batchId"),
    ...optional("provider"),
    ...optional("providerMessageId"),
    ...optional("lastError"),
  };
}

function decodeEvent(raw: string): TimelineEvent | null {
  try {
    return JSON.parse(raw) as TimelineEvent;
  } catch {
    return null;
  }
}

export async function getMessage(redis: RedisConnection, id: string): Promise<LoggedMessage | null> {
  const keys = messageKeys();
  const [fields, events] = await Promise.all([redis.hgetall(keys.message(id)), redis.lrange(keys.events(id), 0, -1)]);
  if (!fields || Object.keys(fields).length === 0) return null;
  // In the order things happened: events of one message are handled concurrently, so the list's
  // order is arrival order (sort is stable: equal times keep it).
  const timeline = events.flatMap((raw) => decodeEvent(raw) ?? []).sort((a, b) => a.at - b.at);
  return { ...decodeSummary(fields), events: timeline };
}

const PRUNE_EVERY_MS = 10_000;
const PRUNE_CHUNK = 1_000;
let lastPrune = 0;

async function pruneSometimes(redis: RedisConnection, options: MessageLogOptions): Promise<void> {
  const now = Date.now();
  if (now - lastPrune < PRUNE_EVERY_MS) return;
  lastPrune = now;
  await pruneMessageLog(redis, options, now);
}

/**
 * Deletes messages older than the retention or beyond the cap (oldest first), at most
 * PRUNE_CHUNK of each a call. Records expire by TTL anyway; this keeps the time index in step and
 * the cap a true bound on memory. Returns how many went.
 */
export async function pruneMessageLog(
  redis: RedisConnection,
  options: MessageLogOptions = {},
  now = Date.now(),
): Promise<number> {
  const keys = messageKeys();
  const cap = options.maxMessages ?? DEFAULT_MESSAGE_LOG_MAX;
  const expired = await redis.zrangebyscore(keys.all, "-inf", now - retentionMs(options), "LIMIT", 0, PRUNE_CHUNK);
  const over = Math.min(PRUNE_CHUNK, Math.max(0, (await redis.zcard(keys.all)) - expired.length - cap));
  const trimmed = over > 0 ? await redis.zrange(keys.all, expired.length, expired.length + over - 1) : [];
  const gone = [...expired, ...trimmed];
  if (gone.length === 0) return 0;
  const tx = redis.multi();
  for (const id of gone) tx.unlink(keys.message(id), keys.events(id));
  tx.zrem(keys.all, ...gone);
  await tx.exec();
  return gone.length;
}
