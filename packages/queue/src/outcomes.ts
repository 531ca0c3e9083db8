// Writes what happened to each job back to Redis: acks (batched: one round trip for every job that
// finished in the same tick), retries, dead letters and hand-backs. A write that fails because
// Redis is away is retried until it lands: the job stays in the worker's active hash meanwhile,
// so nothing is lost and nothing is counted twice. Every write names the lease epoch the job was
// claimed under: a write under a fenced epoch finds nothing to change.
import type { RedisConnection } from "./connection.ts";
import { idOfRaw, type Job, newJobId, serializeJob } from "./job.ts";
import { TOO_LARGE_PREFIX_BYTES, utf8Bytes } from "./json-bounds.ts";
import type { QueueKeys } from "./keys.ts";
import type { Logger } from "./logger.ts";
import { tallyDurations } from "./processing-time.ts";
import { type AckEntry, ackJobs, deadLetter, type Held, type Holder, retryJob } from "./scripts.ts";
import { DAY_TTL_SECONDS, dayStamp, doneBucket, MINUTE_TTL_SECONDS, minuteBucket } from "./time-buckets.ts";
import type { WorkerSettings } from "./worker-settings.ts";

export type DeadLetterReason =
  | "failed"
  | "exhausted"
  | "invalid"
  | "too_large"
  | "expired"
  | "lost"
  | "suppressed"
  | (string & {});

export interface DeadLetterEntry {
  id: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  failedAt: number;
  queue: string;
  /** The job as it was, or null when the payload never parsed (then `raw` keeps it verbatim). */
  job: Job | null;
  raw?: string;
  /** Size of the whole payload when `raw` keeps only its prefix (reason too_large). */
  rawBytes?: number;
  workerId?: string;
}

const RETRY_WRITE_MS = 250;

interface PendingAck extends AckEntry {
  holder: Holder;
  durationMs: number;
}

export class OutcomeWriter {
  private pending: PendingAck[] = [];
  private writing: PendingAck[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly settings: WorkerSettings,
    private readonly log: Logger,
    private readonly onLost: (count: number) => void,
  ) {
    this.historyBudget = settings.historyCap;
  }

  /** Queues an ack; it is written with every other ack of this tick. `durationMs`: the handler's run. */
  ack({ field, holder }: Held, job: Job, durationMs: number): void {
    const batchKey = job.batchId ? this.batchKey(job.batchId) : undefined;
    this.pending.push({ field, holder, id: job.id, batchKey, durationMs });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  // Jobs of one batch arrive together: remember the last key instead of building it per job.
  private lastBatch = { id: "", key: "" };
  private batchKey(batchId: string): string {
    if (this.lastBatch.id !== batchId) this.lastBatch = { id: batchId, key: this.keys.batch(batchId) };
    return this.lastBatch.key;
  }

  /** Fields whose ack is queued or being written: still in the active hash, but finished. */
  unackedFields(): string[] {
    return [...this.pending, ...this.writing].map((entry) => entry.field);
  }

  /** Resolves when every queued ack has been written. */
  async flushAll(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      await (this.flushing ?? this.flush());
    }
  }

  private flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return this.flushing ?? Promise.resolve();
    const entries = this.pending;
    this.pending = [];
    this.writing = entries;
    this.flushing = this.writeAcks(entries).finally(() => {
      this.flushing = null;
      this.writing = [];
      if (this.pending.length > 0) void this.flush();
      else for (const resolve of this.idle.splice(0)) resolve();
    });
    return this.flushing;
  }

  /**
   * The completed history takes every job while this worker finishes fewer than `historyCap` a
   * second, and a sample of that many a second above it: at such rates the newest entries are
   * pushed out within the second anyway, and each one costs Redis a payload copy.
   */
  private historyBudget: number;
  private historyBudgetAt = Date.now();
  private historyFields(entries: AckEntry[], now: number): string[] {
    const cap = this.settings.historyCap;
    this.historyBudget = Math.min(cap, this.historyBudget + ((now - this.historyBudgetAt) * cap) / 1000);
    this.historyBudgetAt = now;
    const take = Math.min(entries.length, Math.floor(this.historyBudget));
    this.historyBudget -= take;
    const fields: string[] = new Array(take);
    for (let i = 0; i < take; i++) fields[i] = (entries[entries.length - take + i] as AckEntry).field;
    return fields;
  }

  private async writeAcks(entries: PendingAck[]): Promise<void> {
    // One epoch almost always; after a lost lease the old epoch's acks go to its own (fenced) keys.
    const byHolder = new Map<Holder, PendingAck[]>();
    for (const entry of entries) {
      const group = byHolder.get(entry.holder);
      if (group) group.push(entry);
      else byHolder.set(entry.holder, [entry]);
    }
    for (const [holder, group] of byHolder) {
      const { lost } = await this.persist("ack", () => ackJobs(this.redis, this.ackArgs(holder, group)));
      if (lost > 0) this.onLost(lost);
    }
  }

  private ackArgs(holder: Holder, entries: PendingAck[]) {
    const now = Date.now();
    return {
      holder,
      held: this.keys.held,
      workers: this.keys.workers,
      stats: this.keys.stats,
      done: this.keys.done(doneBucket(now, this.settings.dedupeWindowMs)),
      minute: this.keys.minute(minuteBucket(now)),
      day: this.keys.day(dayStamp(now)),
      completed: this.keys.completed,
      now,
      doneTtlSeconds: Math.ceil((2 * this.settings.dedupeWindowMs) / 1000),
      minuteTtlSeconds: MINUTE_TTL_SECONDS,
      dayTtlSeconds: DAY_TTL_SECONDS,
      historyCap: this.settings.historyCap,
      batchTtlSeconds: this.settings.batchTtlSeconds,
      entries,
      historyFields: this.historyFields(entries, now),
      processingTime: tallyDurations(entries.map((entry) => entry.durationMs)),
    };
  }

  /** Schedules a retry (dueAt > 0) or puts the job back at the head of the queue (dueAt = 0). */
  async handBack(
    { field, payload, holder }: Held,
    /** The job as it should be stored again; null hands the payload back unchanged. */
    job: Job | null,
    how: {
      dueAt: number;
      statsField: "retried" | "recovered" | "released" | "halted";
      error?: string;
      pauseReason?: string;
    },
  ): Promise<boolean> {
    const now = Date.now();
    const failureEntry =
      how.error && job
        ? JSON.stringify({
            id: job.id,
            type: job.type,
            error: how.error,
            attempts: job.attempts,
            at: now,
            final: false,
          })
        : "";
    return this.persist("retry", () =>
      retryJob(this.redis, {
        active: holder.active,
        held: this.keys.held,
        delayed: this.keys.delayed,
        pending: this.keys.pending,
        stats: this.keys.stats,
        failures: this.keys.failures,
        minute: this.keys.minute(minuteBucket(now)),
        meta: this.keys.meta,
        field,
        newPayload: job ? serializeJob(job) : payload,
        dueAt: how.dueAt,
        statsField: how.statsField,
        failureEntry,
        historyCap: this.settings.historyCap,
        minuteTtlSeconds: MINUTE_TTL_SECONDS,
        pauseReason: how.pauseReason ?? "",
      }),
    );
  }

  /** A payload that is not a job (bad JSON, wrong shape) goes to the dead-letter list verbatim. */
  deadLetterInvalid(held: Held, reason: string, kind: "invalid" | "too_large" = "invalid"): Promise<boolean> {
    const { payload } = held;
    const tooLarge = kind === "too_large";
    return this.deadLetter(held, {
      id: idOfRaw(payload.slice(0, TOO_LARGE_PREFIX_BYTES)) ?? `raw-${newJobId()}`,
      reason: kind,
      error: reason,
      attempts: 0,
      failedAt: Date.now(),
      queue: this.keys.name,
      job: null,
      // An oversized payload keeps only a bounded prefix: the dead-letter list must stay small.
      raw: tooLarge ? payload.slice(0, TOO_LARGE_PREFIX_BYTES) : payload,
      ...(tooLarge ? { rawBytes: utf8Bytes(payload) } : {}),
      workerId: held.holder.id,
    });
  }

  async deadLetter({ field, holder }: Held, entry: DeadLetterEntry): Promise<boolean> {
    const now = Date.now();
    const batchId = entry.job?.batchId;
    return this.persist("dead-letter", () =>
      deadLetter(this.redis, {
        active: holder.active,
        held: this.keys.held,
        dlq: this.keys.dlq,
        stats: this.keys.stats,
        failures: this.keys.failures,
        minute: this.keys.minute(minuteBucket(now)),
        day: this.keys.day(dayStamp(now)),
        batch: batchId ? this.keys.batch(batchId) : undefined,
        field,
        entry: JSON.stringify(entry),
        dlqCap: this.settings.deadLetterCap,
        failureEntry: JSON.stringify({
          id: entry.id,
          type: entry.job?.type ?? null,
          error: entry.error,
          attempts: entry.attempts,
          at: now,
          final: true,
          reason: entry.reason,
        }),
        historyCap: this.settings.historyCap,
        minuteTtlSeconds: MINUTE_TTL_SECONDS,
        dayTtlSeconds: DAY_TTL_SECONDS,
        batchTtlSeconds: this.settings.batchTtlSeconds,
      }),
    );
  }

  /** Retries a write until Redis takes it; a job's fate must never be dropped on the floor. */
  private async persist<T>(what: string, write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (attempt === 1 || attempt % 20 === 0) {
          this.log.warn({ err: String(error), what, attempt }, "could not write job outcome to Redis; retrying");
        }
        await new Promise((r) => setTimeout(r, Math.min(RETRY_WRITE_MS * attempt, 2_000)));
      }
    }
  }
}
