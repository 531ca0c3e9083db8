// Read-only views for dashboards and the CLI: counts per state, totals, per-minute and per-day
// series, live workers with their current jobs, recent failures and completions.
import type { RedisConnection } from "./connection.ts";
import { parseCompleted } from "./inspect.ts";
import { type Job, jobCreatedAt, parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { histogramFrom, type ProcessingHistogram } from "./processing-time.ts";
import { dayStamp, MINUTE_MS, minuteBucket } from "./time-buckets.ts";

export interface QueueStats {
  name: string;
  /** Hash slots the queue is spread over (1 unless it is partitioned); every count is their sum. */
  partitions: number;
  paused: boolean;
  pausedReason: string | null;
  /** Waiting to run now: the pending list and the prioritized lane. */
  pending: number;
  /** Of `pending`, those in the prioritized lane (a priority level, claimed after the rest). */
  prioritized: number;
  /** Jobs held by any worker, live or awaiting recovery after its lease expired. */
  active: number;
  /** Of `active`, jobs held by workers whose lease expired: the next live worker runs them again. */
  awaitingRecovery: number;
  delayed: number;
  dead: number;
  /** Workers with a live lease. */
  workers: number;
  schedules: number;
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  recovered: number;
  duplicates: number;
  /** Acks that arrived after the lease was lost: jobs that may have run twice. */
  lateAcks: number;
  /** Processing time of completed jobs since the queue began (processing-time.ts). */
  processingTime: ProcessingHistogram;
  /**
   * When the job at the head of pending (the next to run) was created, or null (empty, or a
   * foreign job without a time): now minus this is the queue's latency, Sidekiq's measure.
   */
  nextCreatedAt: number | null;
  /** The next job is urgent: urgent jobs go to the head, so an urgent job is waiting. */
  urgentWaiting: boolean;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Runs this worker gives a job that sets no maxAttempts of its own (0 from a worker too old to say). */
  maxAttempts: number;
  startedAt: number;
  lastBeatAt: number;
  /** Jobs inside a handler at the last heartbeat. */
  running: number;
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
  const [waiting, prioritized, delayed, dead, leases, schedules, totals, paused, head] = await Promise.all([
    redis.llen(keys.pending),
    redis.zcard(keys.prioritized),
    redis.zcard(keys.delayed),
    redis.llen(keys.dlq),
    redis.zrange(keys.workers, 0, -1, "WITHSCORES"),
    redis.hlen(keys.schedules),
    redis.hgetall(keys.stats),
    redis.hget(keys.meta, "paused"),
    redis.lindex(keys.pending, 0),
  ]);
  const next = head === null ? null : headSummary(head);
  // Every lease, expired ones too: a stopped worker's jobs stay counted until they are recovered.
  const held = await Promise.all(
    pairsOf(leases).map(async ([id, until]) => ({
      live: Number(until) > now,
      count: (await redis.hlen(keys.active(id))) + (await redis.llen(keys.landing(id))),
    })),
  );
  const sum = (list: { count: number }[]) => list.reduce((total, entry) => total + entry.count, 0);
  return {
    name: keys.name,
    partitions: 1,
    paused: paused !== null,
    pausedReason: paused,
    pending: waiting + prioritized,
    prioritized,
    active: sum(held),
    awaitingRecovery: sum(held.filter((entry) => !entry.live)),
    delayed,
    dead,
    workers: held.filter((entry) => entry.live).length,
    schedules,
    processed: num(totals.processed),
    failed: num(totals.failed),
    retried: num(totals.retried),
    deadLettered: num(totals.deadLettered),
    recovered: num(totals.recovered),
    duplicates: num(totals.duplicates),
    lateAcks: num(totals.lateAcks),
    processingTime: histogramFrom(totals),
    nextCreatedAt: next?.createdAt ?? null,
    urgentWaiting: next?.urgent ?? false,
  };
}

/** Above this a head job is not JSON-parsed for the overview: only its id's time is read. */
const HEAD_PARSE_BYTES = 64 * 1024;

/** The next job's creation time and urgency, from its JSON; never throws on foreign or hostile text. */
export function headSummary(raw: string): { createdAt: number | null; urgent: boolean } {
  if (raw.length <= HEAD_PARSE_BYTES) {
    try {
      const job = JSON.parse(raw) as { id?: unknown; createdAt?: unknown; urgent?: unknown };
      if (job && typeof job === "object") {
        const id = typeof job.id === "string" ? job.id : "";
        const createdAt = typeof job.createdAt === "number" ? job.createdAt : undefined;
        return {
          createdAt: jobCreatedAt({ id, ...(createdAt === undefined ? {} : { createdAt }) }),
          urgent: job.urgent === true,
        };
      }
    } catch {
      // not JSON: a foreign producer's text; no time to read
    }
    return { createdAt: null, urgent: false };
  }
  // Any id at the head: jobCreatedAt knows which ids carry a time (engine and batch job ids).
  const id = /^\{\s*"id"\s*:\s*"([^"\\]{1,200})"/.exec(raw.slice(0, 300))?.[1];
  return { createdAt: id ? jobCreatedAt({ id }) : null, urgent: false };
}

function pairsOf(flat: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
  return pairs;
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
      maxAttempts: num(info.maxAttempts),
      startedAt: num(info.startedAt),
      lastBeatAt: num(info.lastBeatAt),
      running: num(info.running),
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
