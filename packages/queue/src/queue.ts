// The producer- and admin-side face of one queue: push, inspect, control. Workers live in worker.ts.
// With `partitions: N` (N > 1) it is the face of a logical queue over N single-slot queues
// (partitions.ts): pushes are routed, reads are summed or merged (partition-views.ts).
import type { RedisConnection } from "./connection.ts";
import { type DelayedKind, type DelayedKindPage, listDelayedKind } from "./delayed-kinds.ts";
import { DeadLetterQueue } from "./dlq.ts";
import { GroupCommit } from "./group-commit.ts";
import { type HealthThresholds, type QueueHealth, type QueueReport, queueHealth, queueReport } from "./health.ts";
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
import { newBatchId } from "./job.ts";
import { promoteDelayedJob, removeWaitingJob } from "./job-actions.ts";
import { type QueueKeys, queueKeys, registryKey } from "./keys.ts";
import { resolvePartitions } from "./partition-env.ts";
import { registerPartitions } from "./partition-registry.ts";
import * as views from "./partition-views.ts";
import { PartitionedDeadLetters } from "./partitioned-dlq.ts";
import { assertPartitions, partitionFor, partitionNames } from "./partitions.ts";
import {
  type BatchPush,
  type BulkOptions,
  type BulkResult,
  type JobInput,
  type PushOptions,
  type PushResult,
  pushMany,
  pushOne,
} from "./producer.ts";
import { type ReplicationOptions, replicationFromEnv } from "./replication.ts";
import { Schedules } from "./schedules.ts";
import { cleanOlder } from "./scripts.ts";
import {
  daySeries,
  liveWorkers,
  minuteSeries,
  type QueueStats,
  queueStats,
  recentCompleted,
  recentFailures,
} from "./stats.ts";
import { tracedSend } from "./tracing.ts";

export type CleanableState = "completed" | "dead";

export interface QueueOptions extends ReplicationOptions {
  connection: RedisConnection;
  prefix?: string;
  /**
   * Spread this logical queue over this many hash slots (default 1). Producers and workers of one
   * queue must agree: the first to register the count fixes it, a different count is refused.
   */
  partitions?: number;
}

export interface BatchProgress {
  batchId: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  createdAt: number | null;
  /** The tenant that created the batch (the API's service key), when one did. */
  tenant: string | null;
  /**
   * Whatever else was counted in the batch's hash by a layer on top of the engine (the email
   * layer's delivered, clicked, bounced), by field; the engine gives these fields no meaning.
   */
  counters: Record<string, number>;
}

/** Batch hash fields the engine writes itself; every other numeric field is a layer's counter. */
const BATCH_FIELDS = new Set(["total", "done", "failed", "createdAt", "tenant"]);

export class Queue {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly dlq: DeadLetterQueue;
  readonly schedules: Schedules;
  private readonly redis: RedisConnection;
  /** Push durability (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS unless given); each push may override. */
  private readonly replication: Required<ReplicationOptions>;
  private registered: Promise<unknown> | null = null;
  private grouped: GroupCommit | null = null;
  /** The single-slot queues this one spreads over; just [this] when it is not partitioned. */
  readonly partitions: readonly Queue[];
  /** Where the next job without a routing key goes: round-robin from a random start per producer. */
  private nextPartition: number;

  constructor(
    name: string,
    private readonly options: QueueOptions,
  ) {
    this.name = name;
    this.keys = queueKeys(name, options.prefix);
    this.redis = options.connection;
    const fromEnv = replicationFromEnv();
    this.replication = {
      waitReplicas: options.waitReplicas ?? fromEnv.waitReplicas,
      waitTimeoutMs: options.waitTimeoutMs ?? fromEnv.waitTimeoutMs,
    };
    const count = options.partitions ?? 1;
    assertPartitions(name, count);
    this.partitions =
      count === 1
        ? [this]
        : partitionNames(name, count).map((physical) => new Queue(physical, { ...options, partitions: 1 }));
    this.nextPartition = Math.floor(Math.random() * count);
    const dlq = new DeadLetterQueue(this.redis, this.keys);
    this.dlq = this.isPartitioned
      ? new PartitionedDeadLetters(
          this.redis,
          this.keys,
          this.partitions.map((part) => part.dlq),
        )
      : dlq;
    // Recurring jobs are promoted into partition 0 (the logical name's own slot).
    this.schedules = new Schedules(this.redis, this.keys);
  }

  /**
   * The queue as the deployment runs it: over QUEUE_PARTITIONS's count when it names the queue
   * (PartitionCountError when Redis registered another), else as many slots as the registry says
   * (1 when it says nothing). For code that only knows a queue by name (API, CLI, worker processes).
   */
  static async open(
    name: string,
    options: Omit<QueueOptions, "partitions"> & { env?: NodeJS.ProcessEnv },
  ): Promise<Queue> {
    const { env, ...queueOptions } = options;
    const partitions = await resolvePartitions(options.connection, name, { env, prefix: options.prefix });
    return new Queue(name, { ...queueOptions, partitions });
  }

  get isPartitioned(): boolean {
    return this.partitions.length > 1;
  }

  /** Makes the queue visible to listQueues (once per Queue object; again after a failure). */
  private register(): Promise<unknown> {
    const { prefix } = this.options;
    this.registered ??= (
      this.isPartitioned
        ? registerPartitions(this.redis, this.name, this.partitions.length, prefix)
        : this.redis.sadd(registryKey(prefix), this.name)
    ).catch((error: unknown) => {
      this.registered = null;
      throw error;
    });
    return this.registered;
  }

  private routed(key: string | undefined): Queue {
    const count = this.partitions.length;
    if (key === undefined) this.nextPartition = (this.nextPartition + 1) % count;
    const index = key === undefined ? this.nextPartition : partitionFor(key, count);
    return this.partitions[index] as Queue;
  }

  /** Group commit for option-less jobs on hot paths: one multi-value RPUSH per event-loop turn. */
  groupCommit(): GroupCommit {
    if (this.isPartitioned) {
      this.grouped ??= new RoutedGroupCommit(
        this.redis,
        this.keys,
        () => this.register(),
        () => this.routed(undefined).groupCommit(),
      );
    }
    this.grouped ??= new GroupCommit(this.redis, this.keys, () => this.register(), this.replication);
    return this.grouped;
  }

  /**
   * A job goes to the partition its `partitionKey`, idempotency key or own id hashes to (so the
   * same key always meets itself there), or round-robin when it has none of these.
   */
  async push(input: JobInput, options?: PushOptions): Promise<PushResult> {
    if (this.isPartitioned) {
      await this.register();
      return this.routed(options?.partitionKey ?? options?.idempotencyKey ?? options?.id).push(input, options);
    }
    await this.register();
    const all = { ...this.replication, ...options };
    return tracedSend(this.name, 1, (traceparent) => pushOne(this.redis, this.keys, input, all, traceparent));
  }

  /**
   * Many jobs under one batch id. Partitioned: with a `partitionKey` all go to its partition (FIFO
   * among them), otherwise they are cut into one contiguous slice per partition, sent side by side.
   * Without a `batchId` the batch is made here and its jobs are named after it (batch job ids).
   */
  async pushBulk(inputs: JobInput[], options?: BulkOptions): Promise<BulkResult> {
    if (options?.track !== false && options?.batchId === undefined) return this.openBatch().pushBulk(inputs, options);
    return this.pushNumbered(inputs, options, undefined);
  }

  /**
   * A batch to fill with one or more pushes (recipients released at different moments). Without
   * `batchId` a new one: its jobs are numbered across the pushes, so they carry the batch in their
   * ids instead of a batchId field. With one, the named batch (which others may push to as well).
   */
  openBatch(batchId?: string): BatchPush {
    if (batchId !== undefined) {
      return { batchId, pushBulk: (inputs, options) => this.pushNumbered(inputs, { ...options, batchId }, undefined) };
    }
    return this.newNumberedBatch(newBatchId());
  }

  private newNumberedBatch(batchId: string): BatchPush {
    let next = 0;
    return {
      batchId,
      pushBulk: (inputs, options) => {
        const firstIndex = next;
        next += inputs.length;
        return this.pushNumbered(inputs, { ...options, batchId, track: true }, firstIndex);
      },
    };
  }

  /** `firstIndex`: the number of the first job in its batch, when the batch numbers its jobs. */
  private async pushNumbered(
    inputs: JobInput[],
    options: BulkOptions | undefined,
    firstIndex: number | undefined,
  ): Promise<BulkResult> {
    await this.register();
    if (this.isPartitioned) {
      if (options?.partitionKey !== undefined) {
        return this.routed(options.partitionKey).pushNumbered(inputs, options, firstIndex);
      }
      const parts = this.partitions;
      const size = Math.ceil(inputs.length / parts.length);
      const results = await Promise.all(
        parts.map((part, i) => {
          const slice = inputs.slice(i * size, (i + 1) * size);
          if (slice.length === 0) return null;
          return part.pushNumbered(slice, options, firstIndex === undefined ? undefined : firstIndex + i * size);
        }),
      );
      const ids = results.flatMap((result) => result?.ids ?? []);
      return { batchId: options?.batchId ?? "", ids, count: ids.length };
    }
    const all = { ...this.replication, ...options };
    const numbering = firstIndex === undefined ? undefined : { firstIndex };
    return tracedSend(this.name, inputs.length, (traceparent) =>
      pushMany(this.redis, this.keys, inputs, all, traceparent, numbering),
    );
  }

  async batch(batchId: string): Promise<BatchProgress | null> {
    if (this.isPartitioned) return views.summedBatch(this.partitions, batchId);
    const fields = await this.redis.hgetall(this.keys.batch(batchId));
    if (!fields.total) return null;
    const n = (key: string) => Number(fields[key] ?? 0);
    const counters: Record<string, number> = {};
    for (const [field, value] of Object.entries(fields)) {
      if (!BATCH_FIELDS.has(field) && Number.isFinite(Number(value))) counters[field] = Number(value);
    }
    return {
      batchId,
      total: n("total"),
      done: n("done"),
      failed: n("failed"),
      pending: Math.max(0, n("total") - n("done") - n("failed")),
      createdAt: fields.createdAt ? Number(fields.createdAt) : null,
      tenant: fields.tenant ?? null,
      counters,
    };
  }

  /** Workers stop claiming within a heartbeat (about a second); nothing is lost, in-flight jobs finish. */
  async pause(reason = "paused by an operator"): Promise<void> {
    if (this.isPartitioned) {
      await this.register();
      await Promise.all(this.partitions.map((part) => part.pause(reason)));
      return;
    }
    await this.register();
    await this.redis.hset(this.keys.meta, "paused", reason, "pausedAt", Date.now());
  }

  async resume(): Promise<void> {
    if (this.isPartitioned) {
      await Promise.all(this.partitions.map((part) => part.resume()));
      return;
    }
    await this.redis.hdel(this.keys.meta, "paused", "pausedAt");
  }

  async isPaused(): Promise<{ paused: boolean; reason: string | null; since: number | null }> {
    if (this.isPartitioned) {
      const all = await Promise.all(this.partitions.map((part) => part.isPaused()));
      return all.find((state) => state.paused) ?? { paused: false, reason: null, since: null };
    }
    const [reason, since] = await this.redis.hmget(this.keys.meta, "paused", "pausedAt");
    return { paused: reason !== null, reason: reason ?? null, since: since ? Number(since) : null };
  }

  /** Removes every waiting job (pending, prioritized and delayed); running jobs and dead letters stay. */
  async clear(): Promise<{ removed: number }> {
    if (this.isPartitioned) {
      const all = await Promise.all(this.partitions.map((part) => part.clear()));
      return { removed: all.reduce((sum, r) => sum + r.removed, 0) };
    }
    const results =
      (await this.redis
        .multi()
        .llen(this.keys.pending)
        .zcard(this.keys.prioritized)
        .zcard(this.keys.delayed)
        .del(this.keys.pending, this.keys.prioritized, this.keys.delayed)
        .exec()) ?? [];
    return { removed: [0, 1, 2].reduce((sum, i) => sum + Number(results[i]?.[1] ?? 0), 0) };
  }

  /**
   * BullMQ's clean(grace, limit, state): removes completed-history entries or dead letters that
   * finished (failed) at least `graceMs` ago, oldest first, at most `limit`. Returns how many went.
   */
  async clean(graceMs: number, state: CleanableState, { limit = 100_000 }: { limit?: number } = {}): Promise<number> {
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError("grace must be a number of ms >= 0");
    const target =
      state === "completed"
        ? { list: this.keys.completed, field: "finishedAt" as const }
        : { list: this.keys.dlq, field: "failedAt" as const };
    return cleanOlder(this.redis, { ...target, cutoff: Date.now() - graceMs, limit: Math.max(0, Math.floor(limit)) });
  }

  /** Health with reasons (health.ts); thresholds default to DEFAULT_HEALTH_THRESHOLDS. */
  async health(thresholds?: Partial<HealthThresholds>): Promise<QueueHealth> {
    return queueHealth(this.redis, this.keys, await this.stats(), thresholds);
  }

  /** Processed, failed, error rate, p50/p95 processing time and top errors over the last minutes. */
  report(options?: { windowMinutes?: number; topErrors?: number }): Promise<QueueReport> {
    return queueReport(this.redis, this.keys, options);
  }

  stats(): Promise<QueueStats> {
    if (this.isPartitioned) return views.summedStats(this.name, this.partitions);
    return queueStats(this.redis, this.keys);
  }

  /** One page of jobs in one state (pending, active, delayed, dead, completed), with the state's total. */
  jobs(options: { state: JobState; offset?: number; limit?: number }): Promise<JobPage> {
    if (this.isPartitioned) return views.pagedJobs(this.partitions, options);
    return listJobs(this.redis, this.keys, this.dlq, {
      ...options,
      limit: Math.min(Math.max(1, options.limit ?? 50), 1_000),
    });
  }

  /**
   * One page of the delayed jobs of one kind, soonest first: retries waiting for their next attempt
   * after a failure, or jobs a producer delayed (delayed-kinds.ts).
   */
  async delayedJobs(options: { kind: DelayedKind; offset?: number; limit?: number }): Promise<DelayedKindPage> {
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.min(Math.max(1, options.limit ?? 50), 1_000);
    if (!this.isPartitioned) return listDelayedKind(this.redis, this.keys, { kind: options.kind, offset, limit });
    // Each partition's soonest, merged by due time: enough of each to fill this page.
    const pages = await Promise.all(
      this.partitions.map((part) => part.delayedJobs({ kind: options.kind, offset: 0, limit: offset + limit })),
    );
    const jobs = pages.flatMap((page) => page.jobs).sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
    return {
      kind: options.kind,
      total: pages.reduce((sum, page) => sum + page.total, 0),
      jobs: jobs.slice(offset, offset + limit),
      complete: pages.every((page) => page.complete),
    };
  }

  /** The most recent batches (up to 1,000 are indexed), newest first, with their progress. */
  async batches({ offset = 0, limit = 20 }: { offset?: number; limit?: number } = {}): Promise<BatchProgress[]> {
    if (this.isPartitioned) return views.mergedBatches(this.partitions, { offset, limit });
    const ids = await this.redis.zrevrange(this.keys.batches, offset, offset + limit - 1);
    const all = await Promise.all(ids.map((id) => this.batch(id)));
    return all.filter((b): b is BatchProgress => b !== null);
  }

  peek(count = 5): Promise<FoundJob[]> {
    if (this.isPartitioned) return views.interleavedPeek(this.partitions, count);
    return peek(this.redis, this.keys, count);
  }

  getJob(id: string): Promise<FoundJob | null> {
    if (this.isPartitioned) return views.firstFound(this.partitions, (part) => part.getJob(id));
    return findJob(this.redis, this.keys, this.dlq, id);
  }

  /** Deletes one pending or delayed job by id (job-actions.ts); false when it is not waiting there. */
  removeWaiting(options: { state: "pending" | "delayed"; id: string }): Promise<boolean> {
    return removeWaitingJob(this.redis, this.keys, options);
  }

  /** Runs one delayed job (scheduled, or a retry in backoff) now; false when it is not delayed. */
  promote(id: string): Promise<boolean> {
    return promoteDelayedJob(this.redis, this.keys, id);
  }

  async search(text: string, { limit = 50 }: { limit?: number } = {}): Promise<FoundJob[]> {
    if (this.isPartitioned) {
      const all = await Promise.all(this.partitions.map((part) => part.search(text, { limit })));
      return all.flat().slice(0, limit);
    }
    return searchJobs(this.redis, this.keys, this.dlq, text, limit);
  }

  workers(): ReturnType<typeof liveWorkers> {
    if (this.isPartitioned) return views.allWorkers(this.partitions);
    return liveWorkers(this.redis, this.keys);
  }

  /** The worker (lease epoch) that holds job `id` right now, or null when no worker does. */
  holderOf(id: string): Promise<string | null> {
    if (this.isPartitioned) return views.firstFound(this.partitions, (part) => part.holderOf(id));
    return this.redis.hget(this.keys.held, id);
  }

  /** The ids (active-hash fields) a worker holds: running, awaiting their ack, or read ahead. */
  async heldBy(workerId: string): Promise<string[]> {
    if (this.isPartitioned) return (await Promise.all(this.partitions.map((part) => part.heldBy(workerId)))).flat();
    return this.redis.hkeys(this.keys.active(workerId));
  }

  metrics({ minutes = 60 }: { minutes?: number } = {}): ReturnType<typeof minuteSeries> {
    if (this.isPartitioned) return views.summedMetrics(this.partitions, Math.min(Math.max(1, minutes), 1_500));
    return minuteSeries(this.redis, this.keys, Math.min(Math.max(1, minutes), 1_500));
  }

  history({ days = 90 }: { days?: number } = {}): ReturnType<typeof daySeries> {
    if (this.isPartitioned) return views.summedHistory(this.partitions, Math.min(Math.max(1, days), 90));
    return daySeries(this.redis, this.keys, Math.min(Math.max(1, days), 90));
  }

  recentFailures(count = 20): ReturnType<typeof recentFailures> {
    if (this.isPartitioned) return views.mergedFailures(this.partitions, count);
    return recentFailures(this.redis, this.keys, count);
  }

  recentCompleted(count = 20): ReturnType<typeof recentCompleted> {
    if (this.isPartitioned) return views.mergedCompleted(this.partitions, count);
    return recentCompleted(this.redis, this.keys, count);
  }

  /** Every job as JSON lines ({state, job|raw}), for backups and analysis. */
  async *export(): AsyncGenerator<string> {
    if (this.isPartitioned) {
      for (const part of this.partitions) yield* part.export();
      return;
    }
    for await (const found of walkJobs(this.redis, this.keys, this.dlq, () => true)) {
      yield JSON.stringify(
        found.job
          ? { state: found.state, job: found.job, at: found.at, error: found.error }
          : { state: found.state, raw: found.raw },
      );
    }
  }
}

/** A partitioned queue's group commit: each job joins the group of the next partition in turn. */
class RoutedGroupCommit extends GroupCommit {
  constructor(
    redis: RedisConnection,
    keys: QueueKeys,
    private readonly registerLogical: () => Promise<unknown>,
    private readonly next: () => GroupCommit,
  ) {
    super(redis, keys, registerLogical);
  }

  override async push(input: JobInput, options: Pick<PushOptions, "tenant"> = {}): Promise<string> {
    await this.registerLogical();
    return this.next().push(input, options);
  }
}
