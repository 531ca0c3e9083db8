// The producer- and admin-side face of one queue: push, inspect, control. Workers live in worker.ts.
import type { RedisConnection } from "./connection.ts";
import { DeadLetters } from "./dead-letters.ts";
import {
  type FoundJob,
  findJob,
  type JobPage,
  type JobState,
  listJobs,
  peek,
  searchJobs,
  walkJobs,
} from "./inspect.ts";
import { type QueueKeys, queueKeys, registryKey } from "./keys.ts";
import {
  type BulkOptions,
  type BulkResult,
  type JobInput,
  type PushOptions,
  type PushResult,
  pushMany,
  pushOne,
} from "./producer.ts";
import { Schedules } from "./schedules.ts";
import {
  daySeries,
  liveWorkers,
  minuteSeries,
  type QueueStats,
  queueStats,
  recentCompleted,
  recentFailures,
} from "./stats.ts";

export interface QueueOptions {
  connection: RedisConnection;
  prefix?: string;
}

export interface BatchProgress {
  batchId: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  createdAt: number | null;
}

export class Queue {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly dlq: DeadLetters;
  readonly schedules: Schedules;
  private readonly redis: RedisConnection;
  private registered: Promise<unknown> | null = null;

  constructor(
    name: string,
    private readonly options: QueueOptions,
  ) {
    this.name = name;
    this.keys = queueKeys(name, options.prefix);
    this.redis = options.connection;
    this.dlq = new DeadLetters(this.redis, this.keys);
    this.schedules = new Schedules(this.redis, this.keys);
  }

  /** Makes the queue visible to listQueues (once per Queue object). */
  private register(): Promise<unknown> {
    this.registered ??= this.redis.sadd(registryKey(this.options.prefix), this.name);
    return this.registered;
  }

  async push(input: JobInput, options?: PushOptions): Promise<PushResult> {
    await this.register();
    return pushOne(this.redis, this.keys, input, options);
  }

  async pushBulk(inputs: JobInput[], options?: BulkOptions): Promise<BulkResult> {
    await this.register();
    return pushMany(this.redis, this.keys, inputs, options);
  }

  async batch(batchId: string): Promise<BatchProgress | null> {
    const [fields, opens] = await Promise.all([
      this.redis.hgetall(this.keys.batch(batchId)),
      this.redis.pfcount(this.keys.batchOpens(batchId)),
    ]);
    if (!fields.total) return null;
    const n = (key: string) => Number(fields[key] ?? 0);
    return {
      batchId,
      total: n("total"),
      done: n("done"),
      failed: n("failed"),
      pending: Math.max(0, n("total") - n("done") - n("failed")),
      delivered: n("delivered"),
      opened: opens,
      clicked: n("clicked"),
      bounced: n("bounced"),
      createdAt: fields.createdAt ? Number(fields.createdAt) : null,
    };
  }

  /** Workers stop claiming within a heartbeat (about a second); nothing is lost, in-flight jobs finish. */
  async pause(reason = "paused by an operator"): Promise<void> {
    await this.register();
    await this.redis.hset(this.keys.meta, "paused", reason, "pausedAt", Date.now());
  }

  async resume(): Promise<void> {
    await this.redis.hdel(this.keys.meta, "paused", "pausedAt");
  }

  async isPaused(): Promise<{ paused: boolean; reason: string | null; since: number | null }> {
    const [reason, since] = await this.redis.hmget(this.keys.meta, "paused", "pausedAt");
    return { paused: reason !== null, reason: reason ?? null, since: since ? Number(since) : null };
  }

  /** Removes every waiting job (pending and delayed); running jobs and dead letters stay. */
  async clear(): Promise<{ removed: number }> {
    const results =
      (await this.redis
        .multi()
        .llen(this.keys.pending)
        .zcard(this.keys.delayed)
        .del(this.keys.pending, this.keys.delayed)
        .exec()) ?? [];
    return { removed: Number(results[0]?.[1] ?? 0) + Number(results[1]?.[1] ?? 0) };
  }

  stats(): Promise<QueueStats> {
    return queueStats(this.redis, this.keys);
  }

  /** One page of jobs in one state (pending, active, delayed, dead, completed), with the state's total. */
  jobs(options: { state: JobState; offset?: number; limit?: number }): Promise<JobPage> {
    return listJobs(this.redis, this.keys, this.dlq, {
      ...options,
      limit: Math.min(Math.max(1, options.limit ?? 50), 1_000),
    });
  }

  /** The most recent batches (up to 1,000 are indexed), newest first, with their progress. */
  async batches({ offset = 0, limit = 20 }: { offset?: number; limit?: number } = {}): Promise<BatchProgress[]> {
    const ids = await this.redis.zrevrange(this.keys.batches, offset, offset + limit - 1);
    const all = await Promise.all(ids.map((id) => this.batch(id)));
    return all.filter((b): b is BatchProgress => b !== null);
  }

  peek(count = 5): Promise<FoundJob[]> {
    return peek(this.redis, this.keys, count);
  }

  getJob(id: string): Promise<FoundJob | null> {
    return findJob(this.redis, this.keys, this.dlq, id);
  }

  search(text: string, { limit = 50 }: { limit?: number } = {}): Promise<FoundJob[]> {
    return searchJobs(this.redis, this.keys, this.dlq, text, limit);
  }

  workers(): ReturnType<typeof liveWorkers> {
    return liveWorkers(this.redis, this.keys);
  }

  metrics({ minutes = 60 }: { minutes?: number } = {}): ReturnType<typeof minuteSeries> {
    return minuteSeries(this.redis, this.keys, Math.min(Math.max(1, minutes), 1_500));
  }

  history({ days = 90 }: { days?: number } = {}): ReturnType<typeof daySeries> {
    return daySeries(this.redis, this.keys, Math.min(Math.max(1, days), 90));
  }

  recentFailures(count = 20): ReturnType<typeof recentFailures> {
    return recentFailures(this.redis, this.keys, count);
  }

  recentCompleted(count = 20): ReturnType<typeof recentCompleted> {
    return recentCompleted(this.redis, this.keys, count);
  }

  /** Every job as JSON lines ({state, job|raw}), for backups and analysis. */
  async *export(): AsyncGenerator<string> {
    for await (const found of walkJobs(this.redis, this.keys, this.dlq, () => true)) {
      yield JSON.stringify(
        found.job
          ? { state: found.state, job: found.job, at: found.at, error: found.error }
          : { state: found.state, raw: found.raw },
      );
    }
  }
}
