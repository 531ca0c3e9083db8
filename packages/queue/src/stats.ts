// Read-only views for dashboards and the CLI: counts per state, totals, per-minute and per-day
// series, live workers with their current jobs, recent failures and completions.
import type { RedisConnection } from "./connection.ts";
import { parseCompleted } from "./inspect.ts";
import { type Job, parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { dayStamp, MINUTE_MS, minuteBucket } from "./time-buckets.ts";

export interface QueueStats {
  name: string;
  paused: boolean;
  pausedReason: string | null;
  pending: number;
  active: number;
  delayed: number;
  dead: number;
  workers: number;
  schedules: number;
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  recovered: number;
  duplicates: number;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: number;
  lastBeatAt: number;
  leaseUntil: number;
  alive: boolean;
  jobs: Job[];
}

export interface SeriesPoint {
  at: number;
  processed: number;
  failed: number;
}

export interface FailureRecord {
  id: string;
  type: string | null;
  error: string;
  attempts: number;
  at: number;
  final: boolean;
  reason?: string;
}

const num = (value: string | null | undefined) => (value ? Number(value) : 0);

export async function queueStats(redis: RedisConnection, keys: QueueKeys): Promise<QueueStats> {
  const now = Date.now();
  const [pending, delayed, dead, workerIds, schedules, totals, paused] = await Promise.all([
    redis.llen(keys.pending),
    redis.zcard(keys.delayed),
    redis.llen(keys.dlq),
    redis.zrangebyscore(keys.workers, now, "+inf"),
    redis.hlen(keys.schedules),
    redis.hgetall(keys.stats),
    redis.hget(keys.meta, "paused"),
  ]);
  const activeCounts = await Promise.all(workerIds.map((id) => redis.hlen(keys.active(id))));
  return {
    name: keys.name,
    paused: paused !== null,
    pausedReason: paused,
    pending,
    active: activeCounts.reduce((a, b) => a + b, 0),
    delayed,
    dead,
    workers: workerIds.length,
    schedules,
    processed: num(totals.processed),
    failed: num(totals.failed),
    retried: num(totals.retried),
    deadLettered: num(totals.deadLettered),
    recovered: num(totals.recovered),
    duplicates: num(totals.duplicates),
  };
}

export async function liveWorkers(redis: RedisConnection, keys: QueueKeys, jobsPerWorker = 50): Promise<WorkerInfo[]> {
  const now = Date.now();
  const leases = await redis.zrange(keys.workers, 0, -1, "WITHSCORES");
  const workers: WorkerInfo[] = [];
  for (let i = 0; i < leases.length; i += 2) {
    const id = leases[i] as string;
    const leaseUntil = Number(leases[i + 1]);
    const [info, active] = await Promise.all([
      redis.hgetall(keys.workerInfo(id)),
      redis.hvals(keys.active(id)).then((all) => all.slice(0, jobsPerWorker)),
    ]);
    workers.push({
      id,
      host: info.host ?? "",
      pid: num(info.pid),
      concurrency: num(info.concurrency),
      startedAt: num(info.startedAt),
      lastBeatAt: num(info.lastBeatAt),
      leaseUntil,
      alive: leaseUntil > now,
      jobs: active.flatMap((raw) => {
        const parsed = parseRawJob(raw);
        return parsed.ok ? [parsed.job] : [];
      }),
    });
  }
  return workers;
}

export async function minuteSeries(redis: RedisConnection, keys: QueueKeys, minutes: number): Promise<SeriesPoint[]> {
  const last = minuteBucket(Date.now());
  const buckets = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
  const pipeline = redis.pipeline();
  for (const bucket of buckets) pipeline.hmget(keys.minute(bucket), "processed", "failed");
  const results = (await pipeline.exec()) ?? [];
  return buckets.map((bucket, i) => {
    const [processed, failed] = (results[i]?.[1] as (string | null)[] | undefined) ?? [];
    return { at: bucket * MINUTE_MS, processed: num(processed), failed: num(failed) };
  });
}

export async function daySeries(
  redis: RedisConnection,
  keys: QueueKeys,
  days: number,
): Promise<{ day: string; processed: number; failed: number }[]> {
  const now = Date.now();
  const stamps = Array.from({ length: days }, (_, i) => dayStamp(now - (days - 1 - i) * 86_400_000));
  const pipeline = redis.pipeline();
  for (const stamp of stamps) pipeline.hmget(keys.day(stamp), "processed", "failed");
  const results = (await pipeline.exec()) ?? [];
  return stamps.map((day, i) => {
    const [processed, failed] = (results[i]?.[1] as (string | null)[] | undefined) ?? [];
    return { day, processed: num(processed), failed: num(failed) };
  });
}

export async function recentFailures(redis: RedisConnection, keys: QueueKeys, count: number): Promise<FailureRecord[]> {
  const raw = await redis.lrange(keys.failures, 0, count - 1);
  return raw.map((entry) => JSON.parse(entry) as FailureRecord);
}

export async function recentCompleted(
  redis: RedisConnection,
  keys: QueueKeys,
  count: number,
): Promise<{ job: Job; finishedAt: number }[]> {
  const raw = await redis.lrange(keys.completed, 0, count - 1);
  return raw.flatMap((entry) => parseCompleted(entry) ?? []);
}
