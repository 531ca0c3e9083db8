// Pushing jobs. One job: one RPUSH (or a small script when an idempotency key is given). Many
// jobs: serialized once and sent as multi-value RPUSH commands in pipelined chunks, which is what
// makes bulk enqueue several times faster than one round trip per job.
import type { RedisConnection } from "./connection.ts";
import { type Backoff, type Job, newBatchId, newJobId, serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { pushUnique } from "./scripts.ts";

export interface JobInput {
  type: string;
  to?: string;
  data?: Record<string, unknown>;
}

export interface PushOptions {
  /** Own job id; defaults to a new sortable id. */
  id?: string;
  delayMs?: number;
  runAt?: Date | number;
  /** Total runs allowed, first run included (default 3). */
  attempts?: number;
  backoff?: Backoff;
  /** Overtakes every non-urgent job waiting in the same queue. */
  urgent?: boolean;
  /** The same key within `idempotencyTtlSeconds` enqueues nothing and returns the first job's id. */
  idempotencyKey?: string;
  idempotencyTtlSeconds?: number;
  batchId?: string;
}

export interface PushResult {
  id: string;
  /** True when the idempotency key was seen before and nothing was pushed. */
  duplicate: boolean;
}

const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400;
const BATCH_TTL_SECONDS = 7 * 86_400;
const BATCH_INDEX_CAP = 1_000;

// A MULTI or a pipeline: recordBatch goes into either.
type Commands = ReturnType<RedisConnection["pipeline"]>;

/** Counts `count` more jobs into a batch and keeps the batch in the capped index of recent batches. */
function recordBatch(multi: Commands, keys: QueueKeys, batchId: string, count: number, now: number): Commands {
  return multi
    .hincrby(keys.batch(batchId), "total", count)
    .hsetnx(keys.batch(batchId), "createdAt", now)
    .expire(keys.batch(batchId), BATCH_TTL_SECONDS)
    .zadd(keys.batches, "NX", now, batchId)
    .zremrangebyrank(keys.batches, 0, -BATCH_INDEX_CAP - 1);
}

/**
 * id first: claimJobs-5.lua reads it from the head of the payload for de-duplication. Waiting jobs
 * are kept small: attempts is left out while 0, and the creation time is inside engine-made ids.
 */
export function buildJob(input: JobInput, options: PushOptions, now = Date.now()): Job {
  const job = { id: options.id ?? newJobId(now), type: input.type } as Job;
  if (input.to !== undefined) job.to = input.to;
  job.data = input.data ?? {};
  if (options.id !== undefined) job.createdAt = now;
  if (options.attempts !== undefined) job.maxAttempts = options.attempts;
  if (options.backoff !== undefined) job.backoff = options.backoff;
  if (options.urgent) job.urgent = true;
  if (options.batchId !== undefined) job.batchId = options.batchId;
  if (options.idempotencyKey !== undefined) job.idempotencyKey = options.idempotencyKey;
  return job;
}

export function dueAtOf(options: PushOptions, now = Date.now()): number {
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
    return at > now ? at : 0;
  }
  return options.delayMs && options.delayMs > 0 ? now + options.delayMs : 0;
}

export async function pushOne(
  redis: RedisConnection,
  keys: QueueKeys,
  input: JobInput,
  options: PushOptions = {},
): Promise<PushResult> {
  const now = Date.now();
  const job = buildJob(input, options, now);
  const payload = serializeJob(job);
  const dueAt = dueAtOf(options, now);
  if (options.batchId) await recordBatch(redis.multi(), keys, options.batchId, 1, now).exec();
  if (options.idempotencyKey) {
    const { id, pushed } = await pushUnique(redis, {
      idempotency: keys.idempotency(options.idempotencyKey),
      pending: keys.pending,
      delayed: keys.delayed,
      id: job.id,
      payload,
      ttlSeconds: options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS,
      dueAt,
      urgent: options.urgent === true,
    });
    return { id, duplicate: !pushed };
  }
  if (dueAt > 0) await redis.zadd(keys.delayed, dueAt, payload);
  else if (options.urgent) await redis.lpush(keys.pending, payload);
  else await redis.rpush(keys.pending, payload);
  return { id: job.id, duplicate: false };
}

export interface BulkOptions extends Omit<PushOptions, "id" | "idempotencyKey"> {
  chunkSize?: number;
  /** false: no batch id and no progress record, for callers that only want the fast multi-push. */
  track?: boolean;
}

export interface BulkResult {
  /** Empty when `track` was false. */
  batchId: string;
  ids: string[];
  count: number;
}

/**
 * Pushes many jobs under one batch id whose progress can be read back. Chunks are pipelined;
 * the batch total is written before any job so progress never shows more done than total.
 * Per-job idempotency keys are not supported here (use push for those).
 */
export async function pushMany(
  redis: RedisConnection,
  keys: QueueKeys,
  inputs: JobInput[],
  options: BulkOptions = {},
): Promise<BulkResult> {
  const now = Date.now();
  const batchId = options.track === false ? undefined : (options.batchId ?? newBatchId());
  const chunkSize = Math.max(1, options.chunkSize ?? 1_000);
  const dueAt = dueAtOf(options, now);
  const ids: string[] = new Array(inputs.length);
  const jobOptions = { ...options, batchId };
  let pipeline = redis.pipeline();
  // First in the same pipeline: Redis runs it before any job, so progress never shows more done
  // than total, and it costs no round trip of its own.
  if (batchId) recordBatch(pipeline, keys, batchId, inputs.length, now);
  let queued = 0;
  for (let start = 0; start < inputs.length; start += chunkSize) {
    const chunk = inputs.slice(start, start + chunkSize);
    const payloads: string[] = new Array(chunk.length);
    const scored: (string | number)[] = [];
    chunk.forEach((input, i) => {
      const job = buildJob(input, jobOptions, now);
      ids[start + i] = job.id;
      payloads[i] = serializeJob(job);
      if (dueAt > 0) scored.push(dueAt, payloads[i] as string);
    });
    if (dueAt > 0) pipeline.zadd(keys.delayed, ...scored);
    else if (options.urgent) pipeline.lpush(keys.pending, ...payloads);
    else pipeline.rpush(keys.pending, ...payloads);
    // Bounded pipelines keep memory flat for a 100,000-job campaign.
    if (++queued % 20 === 0) {
      await execOrThrow(pipeline);
      pipeline = redis.pipeline();
    }
  }
  await execOrThrow(pipeline);
  return { batchId: batchId ?? "", ids, count: inputs.length };
}

async function execOrThrow(pipeline: ReturnType<RedisConnection["pipeline"]>): Promise<void> {
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
