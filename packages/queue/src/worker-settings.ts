import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { RedisConnection } from "./connection.ts";
import { type Backoff, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type Job } from "./job.ts";
import { DEFAULT_MAX_JOB_BYTES } from "./json-bounds.ts";
import type { Logger } from "./logger.ts";
import { MAX_READ_AHEAD } from "./read-ahead.ts";
import type { SourceList } from "./source-lists.ts";

export interface RateLimit {
  /** Jobs allowed per `durationMs`, shared by every worker that uses the same limiter name. */
  max: number;
  durationMs: number;
  /** Share one bucket across queues (e.g. one provider account); defaults to the queue's own. */
  name?: string;
}

export interface WorkerOptions {
  connection: RedisConnection;
  /** Jobs run at once by this process. */
  concurrency?: number;
  /**
   * Jobs claimed ahead of free slots so the next one starts without a round trip. Default: about
   * 10 ms of work at the worker's current pace, at least twice the concurrency, at most 1,000;
   * none with a rate limit. A number fixes it. Jobs read ahead count an attempt if the worker dies.
   */
  prefetch?: number;
  /**
   * How long a worker's claim on its jobs survives without a heartbeat. After a gap of half of it
   * the worker starts nothing until its lease is confirmed again.
   */
  leaseMs?: number;
  heartbeatMs?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  limiter?: RateLimit;
  /** Remember delivered job ids for this long so a job pushed twice or re-run is skipped. */
  dedupeWindowMs?: number;
  /** Seconds a blocking pop waits before the loop looks around (pause, shutdown). */
  blockTimeoutSeconds?: number;
  deadLetterCap?: number;
  historyCap?: number;
  /** Payloads larger than this (UTF-8 bytes) are dead-lettered as too_large, keeping a prefix. */
  maxJobBytes?: number;
  prefix?: string;
  logger?: Logger;
  /**
   * Lists other producers push to (e.g. seed 004's `queue:email`): their jobs are moved into this
   * queue atomically as they arrive (standalone Redis; see source-lists.ts for Cluster).
   */
  sourceLists?: SourceList[];
  /**
   * The type given to a JSON object pushed without one (another system's shape, such as seed
   * 003's EmailJob); without it such a payload is dead-lettered as invalid.
   */
  defaultType?: string;
  /** Checks a job's data before the handler runs; throw PermanentError to dead-letter it. */
  validate?: (job: Job) => void;
  /** Start claiming at once (default) or wait for start(). */
  autostart?: boolean;
}

export interface WorkerSettings {
  concurrency: number;
  /** The read-ahead, or its floor when it adapts to the worker's pace. */
  prefetch: number;
  adaptivePrefetch: boolean;
  leaseMs: number;
  heartbeatMs: number;
  maxAttempts: number;
  backoff: Backoff;
  dedupeWindowMs: number;
  blockTimeoutSeconds: number;
  deadLetterCap: number;
  historyCap: number;
  maxJobBytes: number;
  defaultType: string | undefined;
  batchTtlSeconds: number;
}

export function resolveSettings(options: WorkerOptions): WorkerSettings {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
  const leaseMs = options.leaseMs ?? 6_000;
  return {
    concurrency,
    prefetch: Math.max(0, Math.floor(options.prefetch ?? Math.min(2 * concurrency, MAX_READ_AHEAD))),
    adaptivePrefetch: options.prefetch === undefined,
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 5)),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    dedupeWindowMs: options.dedupeWindowMs ?? 600_000,
    blockTimeoutSeconds: options.blockTimeoutSeconds ?? 1,
    deadLetterCap: options.deadLetterCap ?? 100_000,
    historyCap: options.historyCap ?? 1_000,
    maxJobBytes: options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES,
    defaultType: options.defaultType,
    batchTtlSeconds: 7 * 86_400,
  };
}

export function newWorkerId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, "")
      .slice(0, 40) || "host";
  return `${host}-${process.pid}-${randomBytes(3).toString("hex")}`;
}
