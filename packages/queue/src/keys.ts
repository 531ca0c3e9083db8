// Every Redis key of a queue is built here and nowhere else. All keys of one queue share the hash
// tag `{name}` so every multi-key script runs on Redis Cluster, Valkey cluster and managed Redis.

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw new TypeError(`invalid queue name ${JSON.stringify(name)}: use 1-64 letters, digits, '_', '-' or '.'`);
  }
}

export const DEFAULT_PREFIX = "queue";

export interface QueueKeys {
  readonly name: string;
  /** Pending jobs, oldest at the head; urgent jobs are pushed to the head. Seed 004's `queue:email`. */
  readonly pending: string;
  /** Jobs with a priority level (zset, lua/includes/prioritized.lua), claimed after `pending`. */
  readonly prioritized: string;
  readonly delayed: string;
  readonly dlq: string;
  readonly meta: string;
  readonly stats: string;
  /** Lease expiry (ms, by Redis's clock) of every worker, by worker (epoch) id. */
  readonly workers: string;
  /** Field -> id of the worker holding it: one copy of a job runs in one place at a time. */
  readonly held: string;
  readonly completed: string;
  /** Recent batch ids by creation time, for listing batches. */
  readonly batches: string;
  readonly failures: string;
  readonly schedules: string;
  readonly schedulesDue: string;
  /** Hash: schedule name -> when it last enqueued a job (ms), by its cron or by run-now. */
  readonly schedulesLastRun: string;
  readonly limiter: string;
  /** Hash of the jobs one worker holds: field (job id) -> payload exactly as queued. */
  active(workerId: string): string;
  /** Where one worker's blocking pop (BLMOVE) lands a job until its next claim takes it in. */
  landing(workerId: string): string;
  workerInfo(workerId: string): string;
  idempotency(key: string): string;
  batch(batchId: string): string;
  /** Items added to a batch by key (addBatchItems): item -> job id, or "" when it failed. */
  batchItems(batchId: string): string;
  /** Why items of a batch failed before they became jobs: item -> reason. */
  batchItemFailures(batchId: string): string;
  /** Set of job ids delivered during one dedupe bucket. */
  done(bucket: number): string;
  minute(minuteEpoch: number): string;
  day(dayStamp: string): string;
}

/** Key sets already built: per-message code asks for the same few queues' keys thousands of times a second. */
const built = new Map<string, QueueKeys>();
/** Bounds the memo when names come from outside (queue names in API calls). */
const MAX_BUILT = 1_000;

export function queueKeys(name: string, prefix = DEFAULT_PREFIX): QueueKeys {
  const memo = `${prefix}\n${name}`;
  const found = built.get(memo);
  if (found) return found;
  const keys = buildQueueKeys(name, prefix);
  if (built.size >= MAX_BUILT) built.clear();
  built.set(memo, keys);
  return keys;
}

function buildQueueKeys(name: string, prefix: string): QueueKeys {
  assertQueueName(name);
  const base = `${prefix}:{${name}}`;
  // Frozen: one object is shared by every caller of the memo.
  const keys: QueueKeys = {
    name,
    pending: base,
    prioritized: `${base}:prioritized`,
    delayed: `${base}:delayed`,
    dlq: `${base}:dlq`,
    meta: `${base}:meta`,
    stats: `${base}:stats`,
    workers: `${base}:workers`,
    held: `${base}:held`,
    completed: `${base}:completed`,
    batches: `${base}:batches`,
    failures: `${base}:failures`,
    schedules: `${base}:schedules`,
    schedulesDue: `${base}:schedules:due`,
    schedulesLastRun: `${base}:schedules:last`,
    limiter: `${base}:limiter`,
    active: (workerId) => `${base}:active:${workerId}`,
    landing: (workerId) => `${base}:landing:${workerId}`,
    workerInfo: (workerId) => `${base}:worker:${workerId}`,
    idempotency: (key) => `${base}:idem:${key}`,
    batch: (batchId) => `${base}:batch:${batchId}`,
    batchItems: (batchId) => `${base}:batch:${batchId}:items`,
    batchItemFailures: (batchId) => `${base}:batch:${batchId}:item_failures`,
    done: (bucket) => `${base}:done:${bucket}`,
    minute: (minuteEpoch) => `${base}:m:${minuteEpoch}`,
    day: (dayStamp) => `${base}:d:${dayStamp}`,
  };
  return Object.freeze(keys);
}

/** Set of known queue names; lives outside any queue's slot and is touched only outside scripts. */
export function registryKey(prefix = DEFAULT_PREFIX): string {
  return `${prefix}:registry`;
}

/** A rate limit shared across queues (one provider account) gets a slot of its own. */
export function sharedLimiterKey(name: string, prefix = DEFAULT_PREFIX): string {
  assertQueueName(name);
  return `${prefix}:{limit:${name}}`;
}

/** Hash of partitioned queue name -> partition count (partitions.ts); outside any queue's slot, like the registry. */
export function partitionsKey(prefix = DEFAULT_PREFIX): string {
  return `${prefix}:partitions`;
}
