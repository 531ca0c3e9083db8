// Per-queue health and the windowed report (seed 002's queue monitor): what an operator needs to
// know at a glance, with the reasons spelled out. Read-only: a handful of Redis reads per queue.
//   critical: a backlog and no live worker; the oldest waiting job older than the critical age;
//             error rate over the window at or above the critical rate; dead letters at the cap
//   warning:  the same signals past their warning levels, or a paused queue with a backlog
import type { RedisConnection } from "./connection.ts";
import { jobCreatedAt, parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { histogramFrom, PROCESSING_TIME_FIELDS, quantileOf } from "./processing-time.ts";
import { type QueueStats, recentFailures } from "./stats.ts";
import { MINUTE_MS, minuteBucket } from "./time-buckets.ts";

export type HealthStatus = "ok" | "warning" | "critical";

export interface HealthThresholds {
  /** Age of the oldest waiting job (seconds) that makes a warning / critical. */
  oldestPendingWarningSeconds: number;
  oldestPendingCriticalSeconds: number;
  /** Failed attempts / (completed + failed attempts) over `windowMinutes`. */
  errorRateWarning: number;
  errorRateCritical: number;
  /** Fewer attempts than this in the window say nothing about an error rate. */
  errorRateMinAttempts: number;
  deadWarning: number;
  /** Seed 004 alerted when its dead-letter list passed 100. */
  deadCritical: number;
  windowMinutes: number;
  /** false for deployments that drain by cron: a backlog without a worker is then expected. */
  requireWorkers: boolean;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  oldestPendingWarningSeconds: 300,
  oldestPendingCriticalSeconds: 1_800,
  errorRateWarning: 0.1,
  errorRateCritical: 0.5,
  errorRateMinAttempts: 10,
  deadWarning: 1,
  deadCritical: 100,
  windowMinutes: 5,
  requireWorkers: true,
};

export interface QueueHealth {
  queue: string;
  status: HealthStatus;
  /** Why it is not ok, worst first; empty when ok. */
  reasons: string[];
  /** Null when nothing waits, or the oldest job carries no creation time (a foreign id). */
  oldestPendingSeconds: number | null;
  /** Over the window; null with too few attempts to say. */
  errorRate: number | null;
}

interface WindowTotals {
  processed: number;
  failed: number;
  fields: Record<string, number>;
}

/** Sums the minute hashes of the last `minutes` minutes (counts and processing-time buckets). */
async function windowTotals(redis: RedisConnection, keys: QueueKeys, minutes: number): Promise<WindowTotals> {
  const last = minuteBucket(Date.now());
  const names = ["processed", "failed", "tus", ...PROCESSING_TIME_FIELDS];
  const pipeline = redis.pipeline();
  for (let bucket = last - minutes + 1; bucket <= last; bucket++) pipeline.hmget(keys.minute(bucket), ...names);
  const fields: Record<string, number> = {};
  for (const [, values] of (await pipeline.exec()) ?? []) {
    (values as (string | null)[]).forEach((value, i) => {
      const name = names[i] as string;
      fields[name] = (fields[name] ?? 0) + Number(value ?? 0);
    });
  }
  return { processed: fields.processed ?? 0, failed: fields.failed ?? 0, fields };
}

/** Creation time of the job that has waited longest: the heads of the pending list and the lane. */
async function oldestPendingAt(redis: RedisConnection, keys: QueueKeys): Promise<number | null> {
  const [head, tail, lane] = await Promise.all([
    redis.lindex(keys.pending, 0),
    redis.lindex(keys.pending, -1),
    redis.zrange(keys.prioritized, 0, 0),
  ]);
  // Urgent jobs go to the head, so the list's oldest is at one of its two ends.
  const times = [head, tail, lane[0]].flatMap((raw) => {
    if (!raw) return [];
    const parsed = parseRawJob(raw);
    const at = parsed.ok ? jobCreatedAt(parsed.job) : null;
    return at === null ? [] : [at];
  });
  return times.length > 0 ? Math.min(...times) : null;
}

const rateOf = ({ processed, failed }: WindowTotals, minAttempts: number) =>
  processed + failed >= minAttempts ? failed / (processed + failed) : null;

export async function queueHealth(
  redis: RedisConnection,
  keys: QueueKeys,
  stats: QueueStats,
  thresholds: Partial<HealthThresholds> = {},
): Promise<QueueHealth> {
  const limits = { ...DEFAULT_HEALTH_THRESHOLDS, ...thresholds };
  const [totals, oldestAt] = await Promise.all([
    windowTotals(redis, keys, limits.windowMinutes),
    stats.pending > 0 ? oldestPendingAt(redis, keys) : Promise.resolve(null),
  ]);
  const critical: string[] = [];
  const warning: string[] = [];
  if (limits.requireWorkers && stats.pending > 0 && stats.workers === 0) {
    critical.push(`no live worker while ${stats.pending} job(s) wait`);
  }
  if (stats.paused && stats.pending > 0) warning.push(`paused with ${stats.pending} job(s) waiting`);
  const oldestPendingSeconds = oldestAt === null ? null : Math.max(0, Math.round((Date.now() - oldestAt) / 1000));
  if (oldestPendingSeconds !== null) {
    const text = `oldest waiting job is ${oldestPendingSeconds}s old`;
    if (oldestPendingSeconds >= limits.oldestPendingCriticalSeconds) critical.push(text);
    else if (oldestPendingSeconds >= limits.oldestPendingWarningSeconds) warning.push(text);
  }
  const errorRate = rateOf(totals, limits.errorRateMinAttempts);
  if (errorRate !== null) {
    const text = `error rate ${(errorRate * 100).toFixed(1)}% over ${limits.windowMinutes} min`;
    if (errorRate >= limits.errorRateCritical) critical.push(text);
    else if (errorRate >= limits.errorRateWarning) warning.push(text);
  }
  if (stats.dead >= limits.deadCritical) critical.push(`${stats.dead} dead letter(s)`);
  else if (stats.dead >= limits.deadWarning) warning.push(`${stats.dead} dead letter(s)`);
  const status: HealthStatus = critical.length > 0 ? "critical" : warning.length > 0 ? "warning" : "ok";
  return { queue: keys.name, status, reasons: [...critical, ...warning], oldestPendingSeconds, errorRate };
}

export interface QueueReport {
  queue: string;
  windowMinutes: number;
  from: number;
  to: number;
  processed: number;
  /** Failed attempts (retried or dead-lettered) in the window. */
  failed: number;
  errorRate: number | null;
  p50Seconds: number | null;
  p95Seconds: number | null;
  /** The most frequent errors among the recent failures kept (up to the failure history's cap). */
  topErrors: { error: string; count: number }[];
}

const ERROR_TEXT_MAX = 200;

export async function queueReport(
  redis: RedisConnection,
  keys: QueueKeys,
  { windowMinutes = 60, topErrors = 5 }: { windowMinutes?: number; topErrors?: number } = {},
): Promise<QueueReport> {
  const now = Date.now();
  const from = (minuteBucket(now) - windowMinutes + 1) * MINUTE_MS;
  const [totals, failures] = await Promise.all([
    windowTotals(redis, keys, windowMinutes),
    recentFailures(redis, keys, 1_000),
  ]);
  const histogram = histogramFrom(totals.fields);
  const counts = new Map<string, number>();
  for (const failure of failures) {
    if (failure.at < from) continue;
    const error = failure.error.slice(0, ERROR_TEXT_MAX);
    counts.set(error, (counts.get(error) ?? 0) + 1);
  }
  return {
    queue: keys.name,
    windowMinutes,
    from,
    to: now,
    processed: totals.processed,
    failed: totals.failed,
    errorRate: rateOf(totals, 1),
    p50Seconds: quantileOf(histogram, 0.5),
    p95Seconds: quantileOf(histogram, 0.95),
    topErrors: [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topErrors)
      .map(([error, count]) => ({ error, count })),
  };
}
