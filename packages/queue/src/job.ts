// The job envelope: plain JSON any language can write. The minimum is seed 004's shape
// {"id","type","to","data","attempts"}; everything else is optional and has a default.
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const backoffSchema = z.object({
  type: z.enum(["exponential", "fixed"]),
  /** Base delay in ms: the first retry waits about this long (exponential doubles it each time). */
  delayMs: z.number().int().min(0).max(86_400_000),
});
export type Backoff = z.infer<typeof backoffSchema>;

export const jobEnvelopeSchema = z.looseObject({
  id: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(100),
  to: z.string().max(320).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  attempts: z.number().int().min(0).default(0),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  backoff: backoffSchema.optional(),
  createdAt: z.number().optional(),
  batchId: z.string().max(200).optional(),
  urgent: z.boolean().optional(),
  idempotencyKey: z.string().max(200).optional(),
  lastError: z.string().optional(),
  failedAt: z.number().optional(),
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
  idempotencyKey?: string;
  lastError?: string;
  failedAt?: number;
  [extra: string]: unknown;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_BACKOFF: Backoff = { type: "exponential", delayMs: 1000 };

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

export function newBatchId(): string {
  return `b_${randomChars(12)}`;
}

const ENGINE_ID = /^[0-9a-z]{9}[0-9a-z]{8}$/;

/** When the job was created: its own createdAt, or the time inside an id this engine made. */
export function jobCreatedAt(job: Pick<Job, "id" | "createdAt">): number | null {
  if (typeof job.createdAt === "number") return job.createdAt;
  return ENGINE_ID.test(job.id) ? Number.parseInt(job.id.slice(0, 9), 36) : null;
}

export type ParsedRaw = { ok: true; job: Job; rewritten: boolean } | { ok: false; reason: string; raw: string };

/**
 * Parses a payload claimed from Redis. Never throws: unparseable or invalid payloads are returned
 * with a reason so the worker can dead-letter them. A missing id is assigned (rewritten = true).
 */
export function parseRawJob(raw: string): ParsedRaw {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}`, raw };
  }
  // Fast path for envelopes we wrote ourselves (attempts is left out while it is 0, to keep
  // waiting jobs small); the full schema runs for everything else.
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Job).id === "string" &&
    typeof (value as Job).type === "string" &&
    (typeof (value as Job).attempts === "number" || (value as Job).attempts === undefined) &&
    typeof (value as Job).data === "object" &&
    (value as Job).data !== null &&
    !Array.isArray((value as Job).data)
  ) {
    (value as Job).attempts ??= 0;
    return { ok: true, job: value as Job, rewritten: false };
  }
  const result = jobEnvelopeSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return { ok: false, reason: `invalid job: ${issues}`, raw };
  }
  const job = result.data as Job;
  const rewritten = job.id === undefined;
  if (rewritten) job.id = newJobId();
  return { ok: true, job, rewritten };
}

export function serializeJob(job: Job): string {
  return JSON.stringify(job);
}

/** Best-effort id of a payload that may not parse, for dead-letter entries and logs. */
export function idOfRaw(raw: string): string | undefined {
  const match = /"id"\s*:\s*"([^"\\]{1,200})"/.exec(raw);
  return match?.[1];
}
