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
  readonly delayed: string;
  readonly dlq: string;
  readonly meta: string;
  readonly stats: string;
  /** Lease expiry (ms) of every live worker, by worker id. */
  readonly workers: string;
  readonly completed: string;
  /** Recent batch ids by creation time, for listing batches. */
  readonly batches: string;
  readonly failures: string;
  readonly schedules: string;
  readonly schedulesDue: string;
  readonly limiter: string;
  /** Addresses that must not be sent to again (hard bounce, spam report, unsubscribe): address -> reason JSON. */
  readonly suppressed: string;
  /** Hash of the jobs one worker holds: field (job id) -> payload exactly as queued. */
  active(workerId: string): string;
  /** Where one worker's blocking pop (BLMOVE) lands a job until its next claim takes it in. */
  landing(workerId: string): string;
  workerInfo(workerId: string): string;
  idempotency(key: string): string;
  batch(batchId: string): string;
  /** HyperLogLog of recipients who opened a batch's emails, for unique opens. */
  batchOpens(batchId: string): string;
  /** Set of job ids delivered during one dedupe bucket. */
  done(bucket: number): string;
  minute(minuteEpoch: number): string;
  day(dayStamp: string): string;
}

export function queueKeys(name: string, prefix = DEFAULT_PREFIX): QueueKeys {
  assertQueueName(name);
  const base = `${prefix}:{${name}}`;
  return {
    name,
    pending: base,
    delayed: `${base}:delayed`,
    dlq: `${base}:dlq`,
    meta: `${base}:meta`,
    stats: `${base}:stats`,
    workers: `${base}:workers`,
    completed: `${base}:completed`,
    batches: `${base}:batches`,
    failures: `${base}:failures`,
    schedules: `${base}:schedules`,
    schedulesDue: `${base}:schedules:due`,
    limiter: `${base}:limiter`,
    suppressed: `${base}:suppressed`,
    active: (workerId) => `${base}:active:${workerId}`,
    landing: (workerId) => `${base}:landing:${workerId}`,
    workerInfo: (workerId) => `${base}:worker:${workerId}`,
    idempotency: (key) => `${base}:idem:${key}`,
    batch: (batchId) => `${base}:batch:${batchId}`,
    batchOpens: (batchId) => `${base}:batch:${batchId}:opens`,
    done: (bucket) => `${base}:done:${bucket}`,
    minute: (minuteEpoch) => `${base}:m:${minuteEpoch}`,
    day: (dayStamp) => `${base}:d:${dayStamp}`,
  };
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
