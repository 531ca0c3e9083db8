// The job envelope: plain JSON any language can write. The minimum is seed 004's shape
// {"id","type","to","data","attempts"}; everything else is optional and has a default.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  DEFAULT_MAX_JOB_BYTES,
  jsonTextDepth,
  MAX_JOB_DEPTH,
  nestsDeeperThan,
  topLevelKeyCount,
  utf8Bytes,
} from "./json-bounds.ts";

export const backoffSchema = z.object({
  type: z.enum(["exponential", "fixed"]),
  /** Base delay in ms: the first retry waits about this long (exponential doubles it each time). */
  delayMs: z.number().int().min(0).max(86_400_000),
  /** No retry waits longer than this (default one hour). */
  maxDelayMs: z.number().int().min(0).max(86_400_000).optional(),
});
export type Backoff = z.infer<typeof backoffSchema>;

/** Most runs a job may have; also the most attempts a job may say it has used. */
export const MAX_ATTEMPTS_CAP = 100;

// An id must encode to the same UTF-8 bytes from every language, or de-duplication by id fails.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Priority levels; the Lua lane (lua/includes/prioritized.lua) relies on this range. */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;

export const jobIdSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((id) => !/\p{Cc}/u.test(id) && !LONE_SURROGATE.test(id), "must be printable text (no control characters)");

export const jobEnvelopeSchema = z.looseObject({
  id: jobIdSchema.optional(),
  type: z.string().min(1).max(100),
  to: z.string().max(320).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  attempts: z.number().int().min(0).max(MAX_ATTEMPTS_CAP).default(0),
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS_CAP).optional(),
  backoff: backoffSchema.optional(),
  createdAt: z.number().optional(),
  batchId: z.string().max(200).optional(),
  urgent: z.boolean().optional(),
  priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).optional(),
  idempotencyKey: z.string().max(200).optional(),
  lastError: z.string().optional(),
  failedAt: z.number().optional(),
  /** Past this time (ms since the epoch) the job is dead-lettered as expired, never run. */
  expiresAt: z.number().finite().optional(),
});

/** A job as stored in Redis and handed to handlers. */
export interface Job<Data extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  type: string;
  to?: string;
  data: Data;
  attempts: number;
  maxAttempts?: number;
  backoff?: Backoff;
  createdAt?: number;
  batchId?: string;
  urgent?: boolean;
  /** 1 (runs first) to 10, claimed after unprioritized jobs (BullMQ's order); absent: unprioritized. */
  priority?: number;
  idempotencyKey?: string;
  lastError?: string;
  failedAt?: number;
  expiresAt?: number;
  /** W3C traceparent of the producer's span, when the producer was traced (tracing.ts). */
  trace?: string;
  /** Runs before the last retry from dead letters (dlq.ts), so attempts are never counted from 0 again. */
  priorAttempts?: number;
  /** When an operator last sent it back from the dead letters (ms). */
  retriedFromDeadLetterAt?: number;
  [extra: string]: unknown;
}

/**
 * The default retry schedule rides out a provider outage of well over ten minutes: retries after
 * about 30 s, 1, 2, 4 and 8 min, then every 15 min, dead-lettered after the eighth run (about 45
 * minutes after the first; at least 34 with the jitter). Seed 004 waited 60 s and more, 3 times.
 */
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF: Backoff = { type: "exponential", delayMs: 30_000, maxDelayMs: 900_000 };

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

// One randomBytes call per 4 KiB of ids instead of one per id (a syscall each under Bun).
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolAt = 0;

function randomChars(count: number): string {
  if (poolAt + count > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  let random = "";
  for (let i = 0; i < count; i++) random += ID_ALPHABET[(pool[poolAt++] as number) % 36];
  return random;
}

/** Sortable, compact job id: 9 chars of time (ms, base 36) plus 8 random chars. */
export function newJobId(now = Date.now()): string {
  return now.toString(36).padStart(9, "0") + randomChars(8);
}

/** "b_", 9 chars of time (ms, base 36) and 5 random chars: the time dates the batch's jobs. */
export function newBatchId(now = Date.now()): string {
  return `b_${now.toString(36).padStart(9, "0")}${randomChars(5)}`;
}

const ENGINE_ID = /^[0-9a-z]{9}[0-9a-z]{8}$/;
/**
 * The id each job of a batch made by pushBulk or openBatch gets: the batch id, a dash, the job's
 * place in the batch (base 36). The batch is read back from the id, so such a job carries no
 * batchId field: 27 bytes less for every waiting job of a campaign. A dash, not a dot, because
 * providers' message tags (Resend, SES) allow only letters, digits, "_" and "-": the job_id tag
 * stays equal to the id.
 */
const BATCH_JOB_ID = /^b_[0-9a-z]{14}-[0-9a-z]{1,8}$/;
const BATCH_ID_LENGTH = 16;

export function batchJobId(batchId: string, index: number): string {
  return `${batchId}-${index.toString(36)}`;
}

/** The batch a batchJobId belongs to; undefined for any other id. */
export function batchOfJobId(id: string): string | undefined {
  // "b_" checked by hand first: most ids are not batch job ids, and this runs for every job.
  if (id.charCodeAt(0) !== 98 || id.charCodeAt(1) !== 95 || !BATCH_JOB_ID.test(id)) return undefined;
  return id.slice(0, BATCH_ID_LENGTH);
}

/** Sets a job's batchId from its id when the envelope carries none (a batchJobId). */
export function withBatchOfId<T extends Pick<Job, "id" | "batchId">>(job: T): T {
  if (job.batchId === undefined && typeof job.id === "string") {
    const batchId = batchOfJobId(job.id);
    if (batchId !== undefined) job.batchId = batchId;
  }
  return job;
}

// Before any job this engine made; a day of clock skew past now.
const EARLIEST_ID_TIME = Date.UTC(2020, 0, 1);
const LATEST_ID_SKEW_MS = 86_400_000;

/**
 * When the job was created: its own createdAt, or the time inside an id this engine made. A foreign
 * id that only looks like one (17 lowercase letters and digits: a hash, a nanoid) reads as a time
 * anywhere in 3,000 years; outside 2020 to tomorrow it is no time at all, rather than a job that
 * seems to have waited since 1970 (a false "waited too long" alert, a message log entry pruned).
 */
export function jobCreatedAt(job: Pick<Job, "id" | "createdAt">): number | null {
  if (typeof job.createdAt === "number") return job.createdAt;
  let at: number;
  if (ENGINE_ID.test(job.id)) at = Number.parseInt(job.id.slice(0, 9), 36);
  else if (batchOfJobId(job.id) !== undefined) at = Number.parseInt(job.id.slice(2, 11), 36);
  else return null;
  return at >= EARLIEST_ID_TIME && at <= Date.now() + LATEST_ID_SKEW_MS ? at : null;
}

export type ParsedRaw =
  | { ok: true; job: Job; rewritten: boolean }
  | { ok: false; reason: string; raw: string; kind: "invalid" | "too_large" };

export interface ParseLimits {
  /** Largest payload accepted, in UTF-8 bytes. */
  maxBytes?: number;
  /** Deepest nesting accepted (MAX_JOB_DEPTH for anything a worker runs). */
  maxDepth?: number;
  /**
   * The type of a JSON object that carries none: another system's own shape (seed 003's EmailJob)
   * is then an envelope whose fields stay at the top level for the queue's handler to read.
   */
  defaultType?: string;
}

/**
 * Parses a payload claimed from Redis. Never throws: unparseable, invalid, too deep or too large
 * payloads are returned with a reason so the worker can dead-letter them. A missing id is assigned
 * (rewritten = true).
 */
export function parseRawJob(raw: string, limits: ParseLimits = {}): ParsedRaw {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_JOB_BYTES;
  // Characters never outnumber bytes: the exact count is only needed near the limit.
  if (raw.length > maxBytes || (raw.length * 3 > maxBytes && utf8Bytes(raw) > maxBytes)) {
    return {
      ok: false,
      kind: "too_large",
      reason: `job is ${utf8Bytes(raw)} bytes, over the ${maxBytes}-byte limit`,
      raw,
    };
  }
  const maxDepth = limits.maxDepth ?? MAX_JOB_DEPTH;
  // Our own envelopes start with their id and hold no other top-level id; anything else is checked.
  const ownShape = raw.startsWith('{"id":"') && raw.indexOf('"id"', 6) === -1 && !raw.includes("\\u");
  if (!ownShape) {
    if (jsonTextDepth(raw, maxDepth) > maxDepth) return tooDeep(maxDepth, raw);
    if (topLevelKeyCount(raw, "id") > 1) return invalid("invalid job: the envelope has two ids", raw);
  }
  let value: unknown;
  try {
    // JSON.parse itself is iterative in V8 and JavaScriptCore (a million levels parse), so the
    // depth of our own envelopes is checked on the parsed value: a walk over a few objects
    // instead of a scan of every character, which cost a third as much as the parse itself.
    value = JSON.parse(raw);
  } catch (error) {
    if (ownShape && jsonTextDepth(raw, maxDepth) > maxDepth) return tooDeep(maxDepth, raw);
    return invalid(`malformed JSON: ${(error as Error).message}`, raw);
  }
  if (ownShape && nestsDeeperThan(value, maxDepth)) return tooDeep(maxDepth, raw);
  if (limits.defaultType !== undefined && isUntypedObject(value)) value.type = limits.defaultType;
  if (isWellFormedEnvelope(value)) {
    value.attempts ??= 0;
    return { ok: true, job: withBatchOfId(value), rewritten: false };
  }
  const result = jobEnvelopeSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return invalid(`invalid job: ${issues}`, raw);
  }
  const job = result.data as Job;
  const rewritten = job.id === undefined;
  if (rewritten) job.id = newJobId();
  return { ok: true, job: withBatchOfId(job), rewritten };
}

function isUntypedObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !("type" in value);
}

function tooDeep(maxDepth: number, raw: string): ParsedRaw {
  return invalid(`invalid job: nested deeper than ${maxDepth} levels`, raw);
}

function invalid(reason: string, raw: string): ParsedRaw {
  return { ok: false, kind: "invalid", reason, raw };
}

const isAttemptCount = (n: unknown, min: number) =>
  typeof n === "number" && Number.isInteger(n) && n >= min && n <= MAX_ATTEMPTS_CAP;

/**
 * The fast path for envelopes we wrote ourselves (attempts is left out while it is 0, to keep
 * waiting jobs small): every field it lets through is checked as strictly as the schema would.
 * Anything unusual goes through the full schema.
 */
const isPriority = (n: unknown) =>
  typeof n === "number" && Number.isInteger(n) && n >= MIN_PRIORITY && n <= MAX_PRIORITY;

function isWellFormedEnvelope(value: unknown): value is Job {
  if (typeof value !== "object" || value === null) return false;
  const job = value as Job;
  return (
    typeof job.id === "string" &&
    job.id.length > 0 &&
    job.id.length <= 200 &&
    /^[\x20-\x7e]+$/.test(job.id) &&
    typeof job.type === "string" &&
    job.type.length > 0 &&
    job.type.length <= 100 &&
    (job.attempts === undefined || isAttemptCount(job.attempts, 0)) &&
    (job.maxAttempts === undefined || isAttemptCount(job.maxAttempts, 1)) &&
    job.backoff === undefined &&
    (job.priority === undefined || isPriority(job.priority)) &&
    (job.expiresAt === undefined || Number.isFinite(job.expiresAt)) &&
    (job.to === undefined || (typeof job.to === "string" && job.to.length <= 320)) &&
    typeof job.data === "object" &&
    job.data !== null &&
    !Array.isArray(job.data)
  );
}

export function serializeJob(job: Job): string {
  return JSON.stringify(job);
}

/** Best-effort id of a payload that may not parse, for dead-letter entries and logs. */
export function idOfRaw(raw: string): string | undefined {
  const match = /"id"\s*:\s*"([^"\\]{1,200})"/.exec(raw);
  return match?.[1];
}
