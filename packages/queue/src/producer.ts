// Pushing jobs. One job: one RPUSH (or a small script when an idempotency key is given). Many
// jobs: serialized once and sent as multi-value RPUSH commands in pipelined chunks, which is what
// makes bulk enqueue several times faster than one round trip per job.
import type { RedisConnection } from "./connection.ts";
import { type Backoff, batchJobId, type Job, MAX_PRIORITY, MIN_PRIORITY, newJobId, serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { confirmReplicated, execReplicated, type ReplicationOptions } from "./replication.ts";
import { defineScripts, pushPrioritized, pushUnique, queuePushPrioritized } from "./scripts.ts";

export interface JobInput {
  type: string;
  to?: string;
  data?: Record<string, unknown>;
}

export interface PushOptions extends ReplicationOptions {
  /** Own job id; defaults to a new sortable id. */
  id?: string;
  delayMs?: number;
  runAt?: Date | number;
  /** Total runs allowed, first run included (default 8: the retry schedule of docs/ARCHITECTURE.md). */
  attempts?: number;
  backoff?: Backoff;
  /** Overtakes every non-urgent job waiting in the same queue. */
  urgent?: boolean;
  /**
   * 1 (first) to 10 (last): the job waits in the prioritized lane, claimed after every urgent and
   * unprioritized job (BullMQ's order: no priority is the highest). `urgent` wins over it.
   */
  priority?: number;
  /** The same key within `idempotencyTtlSeconds` enqueues nothing and returns the first job's id. */
  idempotencyKey?: string;
  idempotencyTtlSeconds?: number;
  batchId?: string;
  /** Who owns the job (the API's service key): kept in the envelope and the batch record. */
  tenant?: string;
  /**
   * Partitioned queues: jobs with the same key go to the same partition, so they keep their order
   * among themselves (FIFO per key). Without one, a job goes by its idempotency key or own id.
   */
  partitionKey?: string;
  /** Past this time the job is dead-lettered as expired instead of run (an OTP nobody can use). */
  expiresAt?: Date | number;
  /** Expiry relative to now: `expiresAt = now + ttlMs`. */
  ttlMs?: number;
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
function recordBatch(
  multi: Commands,
  keys: QueueKeys,
  batchId: string,
  count: number,
  now: number,
  tenant: string | undefined,
): Commands {
  if (tenant !== undefined) multi.hsetnx(keys.batch(batchId), "tenant", tenant);
  return multi
    .hincrby(keys.batch(batchId), "total", count)
    .hsetnx(keys.batch(batchId), "createdAt", now)
    .expire(keys.batch(batchId), BATCH_TTL_SECONDS)
    .zadd(keys.batches, "NX", now, batchId)
    .zremrangebyrank(keys.batches, 0, -BATCH_INDEX_CAP - 1);
}

/**
 * id first: claimJobs-8.lua reads it from the head of the payload for de-duplication. Waiting jobs
 * are kept small: attempts is left out while 0, and the creation time is inside engine-made ids.
 */
export function buildJob(
  input: JobInput,
  options: PushOptions,
  now = Date.now(),
  traceparent?: string,
  batchJobIdGiven?: string,
): Job {
  const job = { id: batchJobIdGiven ?? options.id ?? newJobId(now), type: input.type } as Job;
  if (input.to !== undefined) job.to = input.to;
  job.data = input.data ?? {};
  if (options.id !== undefined) job.createdAt = now;
  if (options.attempts !== undefined) job.maxAttempts = options.attempts;
  if (options.backoff !== undefined) job.backoff = options.backoff;
  if (options.urgent) job.urgent = true;
  // Kept in the envelope so a delayed or retried job goes back to its level on promotion.
  const priority = priorityOf(options);
  if (priority > 0) job.priority = priority;
  if (options.batchId !== undefined) job.batchId = options.batchId;
  if (options.idempotencyKey !== undefined) job.idempotencyKey = options.idempotencyKey;
  if (options.tenant !== undefined) job.tenant = options.tenant;
  const expiresAt = expiryOf(options, now);
  if (expiresAt !== undefined) job.expiresAt = expiresAt;
  if (traceparent !== undefined) job.trace = traceparent;
  return job;
}

/** The level to use, or 0: a bad level is a caller's bug, so it throws rather than guesses. */
function priorityOf(options: PushOptions): number {
  if (options.priority === undefined || options.urgent) return 0;
  const level = options.priority;
  if (!Number.isInteger(level) || level < MIN_PRIORITY || level > MAX_PRIORITY) {
    throw new RangeError(`priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}, got ${level}`);
  }
  return level;
}

function expiryOf(options: PushOptions, now: number): number | undefined {
  if (options.expiresAt !== undefined) {
    return options.expiresAt instanceof Date ? options.expiresAt.getTime() : options.expiresAt;
  }
  return options.ttlMs !== undefined ? now + options.ttlMs : undefined;
}

export function dueAtOf(options: PushOptions, now = Date.now()): number {
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
    return at > now ? at : 0;
  }
  return options.delayMs && options.delayMs > 0 ? now + options.delayMs : 0;
}

const prioritizedKeys = (keys: QueueKeys) => ({ prioritized: keys.prioritized, pending: keys.pending });

function prioritize(pipeline: Commands, keys: QueueKeys, priority: number, payloads: string[]): void {
  queuePushPrioritized(pipeline, { ...prioritizedKeys(keys), priority, payloads });
}

export async function pushOne(
  redis: RedisConnection,
  keys: QueueKeys,
  input: JobInput,
  options: PushOptions = {},
  /** W3C trace context to carry in the envelope (tracing.ts). */
  traceparent?: string,
): Promise<PushResult> {
  const now = Date.now();
  const job = buildJob(input, options, now, traceparent);
  const payload = serializeJob(job);
  const dueAt = dueAtOf(options, now);
  const priority = priorityOf(options);
  if (priority > 0) defineScripts(redis);
  if (options.batchId) await recordBatch(redis.multi(), keys, options.batchId, 1, now, options.tenant).exec();
  if (options.idempotencyKey) {
    const idempotency = keys.idempotency(options.idempotencyKey);
    const ttlSeconds = options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
    const { id, pushed } = await pushUnique(redis, {
      idempotency,
      pending: keys.pending,
      delayed: keys.delayed,
      prioritized: keys.prioritized,
      id: job.id,
      payload,
      ttlSeconds,
      dueAt,
      urgent: options.urgent === true,
      priority,
    });
    await confirmReplicated(redis, idempotency, id, ttlSeconds, options);
    return { id, duplicate: !pushed };
  }
  if (options.waitReplicas) {
    await execReplicated(
      redis,
      (pipeline) => {
        if (dueAt > 0) pipeline.zadd(keys.delayed, dueAt, payload);
        else if (options.urgent) pipeline.lpush(keys.pending, payload);
        else if (priority > 0) prioritize(pipeline, keys, priority, [payload]);
        else pipeline.rpush(keys.pending, payload);
      },
      [job.id],
      options,
    );
  } else if (dueAt > 0) await redis.zadd(keys.delayed, dueAt, payload);
  else if (options.urgent) await redis.lpush(keys.pending, payload);
  else if (priority > 0) await pushPrioritized(redis, { ...prioritizedKeys(keys), priority, payloads: [payload] });
  else await redis.rpush(keys.pending, payload);
  return { id: job.id, duplicate: false };
}

export interface BulkOptions extends Omit<PushOptions, "id" | "idempotencyKey"> {
  chunkSize?: number;
  /** false: no batch id and no progress record, for callers that only want the fast multi-push. */
  track?: boolean;
}

/** Where a push's jobs start in a batch made by Queue.openBatch(), whose ids number its jobs. */
export interface BatchNumbering {
  firstIndex: number;
}

/** A batch opened by Queue.openBatch, filled by one or more pushes. */
export interface BatchPush {
  batchId: string;
  pushBulk(inputs: JobInput[], options?: Omit<BulkOptions, "batchId" | "track">): Promise<BulkResult>;
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
  traceparent?: string,
  numbering?: BatchNumbering,
): Promise<BulkResult> {
  const now = Date.now();
  // Queue makes the batch id (openBatch) before it gets here; without one the push is untracked.
  const batchId = options.track === false ? undefined : options.batchId;
  // Only a batch that numbers its pushes (Queue.openBatch()) names its jobs after itself: a caller's
  // batch id may be pushed to again from anywhere, and the same numbers would repeat ids.
  const firstIndex = batchId === undefined ? undefined : numbering?.firstIndex;
  const chunkSize = Math.max(1, options.chunkSize ?? 1_000);
  const dueAt = dueAtOf(options, now);
  const priority = priorityOf(options);
  if (priority > 0) defineScripts(redis);
  const ids: string[] = new Array(inputs.length);
  const jobOptions = { ...options, batchId: firstIndex === undefined ? batchId : undefined };
  // One pipeline's writes, kept as steps so a pipeline redirected in a failover can be sent again.
  let writes: ((pipeline: Commands) => void)[] = [];
  let pipelineIds: string[] = [];
  const flush = async () => {
    const steps = writes;
    const write = (pipeline: Commands) => {
      for (const step of steps) step(pipeline);
    };
    await execReplicated(redis, write, pipelineIds, options);
    writes = [];
    pipelineIds = [];
  };
  // First in the same pipeline: Redis runs it before any job, so progress never shows more done
  // than total, and it costs no round trip of its own.
  if (batchId) writes.push((pipeline) => recordBatch(pipeline, keys, batchId, inputs.length, now, options.tenant));
  let queued = 0;
  for (let start = 0; start < inputs.length; start += chunkSize) {
    const chunk = inputs.slice(start, start + chunkSize);
    const payloads: string[] = new Array(chunk.length);
    const scored: (string | number)[] = [];
    chunk.forEach((input, i) => {
      const numbered =
        firstIndex === undefined || batchId === undefined ? undefined : batchJobId(batchId, firstIndex + start + i);
      const job = buildJob(input, jobOptions, now, traceparent, numbered);
      ids[start + i] = job.id;
      pipelineIds.push(job.id);
      payloads[i] = serializeJob(job);
      if (dueAt > 0) scored.push(dueAt, payloads[i] as string);
    });
    writes.push((pipeline) => {
      if (dueAt > 0) pipeline.zadd(keys.delayed, ...scored);
      else if (options.urgent) pipeline.lpush(keys.pending, ...payloads);
      else if (priority > 0) prioritize(pipeline, keys, priority, payloads);
      else pipeline.rpush(keys.pending, ...payloads);
    });
    // Bounded pipelines keep memory flat for a 100,000-job campaign.
    if (++queued % 20 === 0) await flush();
  }
  await flush();
  return { batchId: batchId ?? "", ids, count: inputs.length };
}
