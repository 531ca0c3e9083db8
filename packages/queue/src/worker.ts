// The worker runtime.
//
// Delivery guarantee: at least once. A job moves atomically from the pending list to this
// worker's own active hash (claimJobs-5.lua; BLMOVE into its landing list when the queue is idle)
// and leaves it only when its outcome is written (ack, retry, dead letter). If the process dies,
// its lease expires and another worker hands the jobs back, counting an attempt. A job can
// therefore run twice (the process died after the handler's side effect but before the ack):
// handlers must be idempotent by job id. Delivered ids are remembered for `dedupeWindowMs`, so a job pushed twice or handed
// back after its ack already landed is skipped.
import { EventEmitter } from "node:events";
import type { RedisConnection } from "./connection.ts";
import { errorMessage, PermanentError } from "./errors.ts";
import { decideFailure } from "./failure.ts";
import { type Job, parseRawJob } from "./job.ts";
import { type QueueKeys, queueKeys, registryKey } from "./keys.ts";
import { type Logger, stderrLogger } from "./logger.ts";
import { OutcomeWriter } from "./outcomes.ts";
import { type RateLimiter, rateLimiterFor } from "./rate-limiter.ts";
import { ReadAhead } from "./read-ahead.ts";
import { recoverExpiredWorkers } from "./recovery.ts";
import { Schedules } from "./schedules.ts";
import { type ClaimArgs, claimJobs, type Held, heartbeat, promoteDelayed } from "./scripts.ts";
import { doneBucket } from "./time-buckets.ts";
import { within } from "./timeout.ts";
import { newWorkerId, resolveSettings, type WorkerOptions, type WorkerSettings } from "./worker-settings.ts";

export interface JobContext {
  workerId: string;
  /** 1 for the first run, 2 for the first retry... */
  attempt: number;
  /** Aborted when the worker is shutting down past its grace period or lost its lease. */
  signal: AbortSignal;
}

export type Handler = (job: Job, ctx: JobContext) => Promise<void>;

export interface DrainResult {
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  remaining: number;
  durationMs: number;
}

/**
 * A job being run, and the context its handler receives: one object per job, because at tens of
 * thousands of jobs a second every allocation on this path shows.
 */
class Flight implements JobContext {
  /** Made only when the handler asks for ctx.signal: most never do, and it is not free. */
  private controller: AbortController | null = null;
  private abortedWith: Error | null = null;
  done: Promise<void> = Promise.resolve();
  attempt = 1;

  constructor(
    readonly held: Held,
    readonly workerId: string,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    this.abortedWith = reason;
    this.controller?.abort(reason);
  }
}

const MAINTENANCE_MS = 1_000;
/** How long close() waits for Redis beyond the grace period before leaving the rest to recovery. */
const CLOSE_WRITE_MS = 5_000;
const PROMOTE_LIMIT = 1_000;

export class Worker extends EventEmitter {
  readonly id = newWorkerId();
  readonly queue: string;
  readonly limiter: RateLimiter | null;
  private readonly keys: QueueKeys;
  private readonly active: string;
  private readonly landing: string;
  private readonly settings: WorkerSettings;
  private readonly redis: RedisConnection;
  private readonly log: Logger;
  private readonly outcomes: OutcomeWriter;
  private readonly schedules: Schedules;
  private blocking: RedisConnection | null = null;
  private readonly inFlight = new Set<Flight>();
  /** Claimed (in our active hash) but not started yet: the next jobs start without a round trip. */
  private readonly buffer: Held[] = [];
  private readonly readAhead: ReadAhead;
  private readonly startedAt = Date.now();
  private running: Promise<void> | null = null;
  private looping: Promise<void> | null = null;
  private drainedEmitted = false;
  private needsReconcile = false;
  private closing = false;
  private pausedReason: string | null = null;
  private wake: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private promoteTimer: NodeJS.Timeout | null = null;
  private drainBudget = Number.POSITIVE_INFINITY;
  private doneBucketSeen = -1;
  private readonly tally = { processed: 0, failed: 0, retried: 0, deadLettered: 0 };

  constructor(
    queue: string,
    private readonly handler: Handler,
    private readonly options: WorkerOptions,
  ) {
    super();
    this.queue = queue;
    this.keys = queueKeys(queue, options.prefix);
    this.active = this.keys.active(this.id);
    this.landing = this.keys.landing(this.id);
    this.settings = resolveSettings(options);
    // With a rate limit, every claimed job must have its token: no read-ahead then.
    this.readAhead = options.limiter
      ? new ReadAhead(0, true)
      : new ReadAhead(this.settings.prefetch, !this.settings.adaptivePrefetch);
    this.redis = options.connection;
    this.log = options.logger ?? stderrLogger;
    this.outcomes = new OutcomeWriter(this.redis, this.keys, this.active, this.settings, this.log, (lost) => {
      this.log.warn(
        { queue, workerId: this.id, lost },
        "acked jobs were no longer ours: the lease had expired and they were recovered",
      );
      this.emit("lost", lost);
    });
    this.schedules = new Schedules(this.redis, this.keys);
    this.limiter = options.limiter ? rateLimiterFor(this.redis, queue, options.limiter, options.prefix) : null;
    // An 'error' event without a listener would crash the process; errors are logged instead.
    this.on("error", () => {});
    this.redis.on("close", this.onConnectionClosed);
    if (options.autostart !== false) void this.start();
  }

  /** Starts claiming; resolves once the worker holds its lease. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = this.register().then(() => {
        this.looping = this.loop();
      });
    }
    return this.running;
  }

  get concurrency(): number {
    return this.settings.concurrency;
  }

  /** Process up to `limit` jobs now and stop (cron or serverless runs), with the same guarantees. */
  async drain(limit: number): Promise<DrainResult> {
    const started = Date.now();
    this.drainBudget = Math.max(0, limit);
    await this.start();
    await new Promise<void>((resolve) => this.once("drained", resolve));
    await this.close();
    const remaining = await this.redis.llen(this.keys.pending);
    return { ...this.tally, remaining, durationMs: Date.now() - started };
  }

  /**
   * Stops claiming, lets in-flight jobs finish for `graceMs`, then aborts and hands back what is
   * still running, writes every pending ack and gives up the lease.
   */
  async close({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const readAhead = this.buffer.splice(0); // not started: handed back below, in queue order
    for (const timer of this.timers) clearInterval(timer);
    if (this.promoteTimer) clearTimeout(this.promoteTimer);
    this.wake?.();
    // A blocked pop ends only with disconnect(); quit() would wait behind it.
    this.blocking?.disconnect();
    // With Redis away the writes below would wait forever: past the deadline we stop waiting.
    // The lease is then still in Redis, so whatever we hold is recovered once it expires.
    const closed = await within(
      this.finishClose(graceMs, readAhead).then(
        () => true,
        () => false,
      ),
      graceMs + CLOSE_WRITE_MS,
    );
    const gaveUp = !(closed.done && closed.value);
    this.redis.off("close", this.onConnectionClosed);
    if (gaveUp) {
      this.log.error(
        { queue: this.queue, workerId: this.id },
        "Redis did not answer during shutdown: the jobs still held are recovered by another worker when the lease expires",
      );
    }
    this.emit("closed");
  }

  private async finishClose(graceMs: number, readAhead: Held[]): Promise<void> {
    await this.running?.catch(() => {});
    await this.looping;
    const finished = await within(Promise.all([...this.inFlight].map((f) => f.done)), graceMs);
    if (!finished.done) for (const flight of this.inFlight) flight.abort(new Error("worker shutting down"));
    await this.outcomes.flushAll();
    await this.releaseActive([...readAhead, ...this.buffer.splice(0)]);
    // Only once everything is handed back: giving up the lease earlier would strand what we hold.
    await this.redis.multi().zrem(this.keys.workers, this.id).del(this.keys.workerInfo(this.id)).exec();
  }

  /**
   * ioredis re-sends commands that were in flight when a connection drops. A claim that Redis had
   * already run is then run again, and the jobs of the first run sit in our active hash unknown
   * to us: check the hash against what we hold before the next claim.
   */
  private onConnectionClosed = (): void => {
    this.needsReconcile = true;
  };

  private async register(): Promise<void> {
    await this.redis.sadd(registryKey(this.options.prefix), this.queue);
    await this.beat(true);
    this.timers.push(setInterval(() => void this.beat(false), this.settings.heartbeatMs));
    this.timers.push(setInterval(() => void this.maintain(), MAINTENANCE_MS + Math.floor(Math.random() * 200)));
    void this.maintain();
  }

  private async beat(firstBeat: boolean): Promise<void> {
    try {
      const now = Date.now();
      const { pausedReason, lost } = await heartbeat(this.redis, {
        workers: this.keys.workers,
        info: this.keys.workerInfo(this.id),
        meta: this.keys.meta,
        workerId: this.id,
        leaseUntil: now + this.settings.leaseMs,
        infoTtlSeconds: Math.ceil((this.settings.leaseMs * 3) / 1000),
        firstBeat,
        fields: {
          host: this.id.split("-").slice(0, -2).join("-"),
          pid: process.pid,
          concurrency: this.settings.concurrency,
          startedAt: this.startedAt,
          lastBeatAt: now,
          running: this.inFlight.size,
        },
      });
      if (lost) {
        this.log.error(
          { queue: this.queue, workerId: this.id },
          "lease was lost (heartbeats did not reach Redis in time); in-flight jobs were recovered elsewhere",
        );
        for (const flight of this.inFlight) flight.abort(new Error("lease lost"));
        // Read-ahead jobs went to the worker that recovered ours: running them here would run them twice.
        this.buffer.length = 0;
      }
      const wasPaused = this.pausedReason !== null;
      this.pausedReason = pausedReason;
      if (!wasPaused && pausedReason !== null && this.buffer.length > 0) {
        // Paused: jobs read ahead but not started go back to the head of the queue.
        await this.releaseActive(this.buffer.splice(0));
      }
      if (wasPaused && pausedReason === null) {
        this.startBuffered();
        this.wake?.();
      }
    } catch (error) {
      if (firstBeat) throw error;
      this.log.warn({ queue: this.queue, err: errorMessage(error) }, "heartbeat failed");
    }
  }

  /** Promotion of due delayed jobs, recurring ticks and recovery of dead workers' jobs. */
  private async maintain(): Promise<void> {
    if (this.closing) return;
    try {
      await this.promote();
      await this.schedules.fireDue();
      await this.dropStaleDoneSet();
      await recoverExpiredWorkers({
        redis: this.redis,
        keys: this.keys,
        workerId: this.id,
        active: this.active,
        outcomes: this.outcomes,
        policy: this.settings,
        log: this.log,
      });
    } catch (error) {
      this.log.warn({ queue: this.queue, err: errorMessage(error) }, "maintenance failed; will try again");
    }
  }

  /**
   * The delivered-id set of two windows back is no longer read, but its TTL keeps it a window
   * longer, and Redis frees an expiring key in its main thread: at 1,000 jobs a second that is a
   * set of 600,000 ids and a pause of tens of milliseconds. UNLINK frees it in the background,
   * once per window per worker.
   */
  private async dropStaleDoneSet(): Promise<void> {
    const bucket = doneBucket(Date.now(), this.settings.dedupeWindowMs);
    if (bucket === this.doneBucketSeen) return;
    await this.redis.unlink(this.keys.done(bucket - 2));
    this.doneBucketSeen = bucket;
  }

  private async promote(): Promise<void> {
    const { promoted, nextDueAt } = await promoteDelayed(this.redis, {
      delayed: this.keys.delayed,
      pending: this.keys.pending,
      now: Date.now(),
      limit: PROMOTE_LIMIT,
    });
    if (this.closing) return;
    // Sooner than the next maintenance tick: wake up exactly when the next delayed job is due.
    const wait = promoted === PROMOTE_LIMIT ? 0 : nextDueAt === null ? null : nextDueAt - Date.now();
    if (wait !== null && wait < MAINTENANCE_MS) {
      if (this.promoteTimer) clearTimeout(this.promoteTimer);
      this.promoteTimer = setTimeout(() => void this.promote().catch(() => {}), Math.max(0, wait) + 1);
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      try {
        await this.fill();
        failures = 0;
      } catch (error) {
        failures++;
        this.needsReconcile = true;
        this.emit("error", error);
        if (failures === 1 || failures % 20 === 0) {
          this.log.warn({ queue: this.queue, err: errorMessage(error), failures }, "claim failed; retrying");
        }
        await this.idle(Math.min(100 * failures, 2_000));
      }
    }
  }

  /** One turn of the loop: wait for a free slot and a token, then claim as many jobs as fit. */
  private async fill(): Promise<void> {
    if (this.needsReconcile) await this.reconcile();
    if (this.pausedReason !== null) return this.idle(1_000);
    if (this.drainBudget <= 0) return this.finishDrain();
    const held = this.inFlight.size + this.buffer.length;
    const prefetch = this.readAhead.current();
    const room = Math.min(this.settings.concurrency + prefetch - held, this.drainBudget);
    // Claim in worthwhile batches; a completion wakes the loop when there is room again.
    const worthwhile = held === 0 ? 1 : Math.max(1, Math.ceil(prefetch / 2));
    if (room < worthwhile) return this.idle(1_000);
    let wanted = room;
    if (this.limiter) {
      const { granted, waitMs } = await this.limiter.acquire(room);
      if (granted === 0) return this.idleForTokens(waitMs);
      wanted = granted;
    }
    const claimed = await this.claim(wanted);
    if (this.limiter) await this.limiter.refund(wanted - (claimed === "paused" ? 0 : claimed.length));
    if (claimed === "paused") {
      this.pausedReason ??= "paused";
      return;
    }
    if (claimed.length > 0) {
      this.accept(claimed);
      return;
    }
    if (Number.isFinite(this.drainBudget)) return this.finishDrain();
    if (this.buffer.length > 0 || this.inFlight.size >= this.settings.concurrency) return this.idle(1_000);
    await this.blockForOne();
  }

  /** Takes in what the blocking pop landed, then up to `max` jobs from the queue. */
  private async claim(max: number): Promise<"paused" | Held[]> {
    const claimed = await claimJobs(this.redis, this.claimArgs(max));
    if (claimed === "paused") return claimed;
    return claimed.overwritten === 0 ? claimed.held : this.dropHeldTwice(claimed.held);
  }

  /**
   * The same job pushed twice and claimed while we still hold the first copy: the active hash has
   * one field for both, so one copy runs and the other is dropped (and counted as a duplicate).
   */
  private dropHeldTwice(claimed: Held[]): Held[] {
    const held = this.knownFields(true);
    const fresh = claimed.filter((h) => !held.has(h.field) && held.add(h.field));
    const dropped = claimed.length - fresh.length;
    if (dropped > 0) {
      this.redis.hincrby(this.keys.stats, "duplicates", dropped).catch((error: unknown) => {
        this.log.warn({ queue: this.queue, err: errorMessage(error) }, "could not count duplicates");
      });
    }
    return fresh;
  }

  private claimArgs(max: number): ClaimArgs {
    const bucket = doneBucket(Date.now(), this.settings.dedupeWindowMs);
    return {
      pending: this.keys.pending,
      active: this.active,
      meta: this.keys.meta,
      stats: this.keys.stats,
      landing: this.landing,
      max,
      doneCurrent: this.keys.done(bucket),
      donePrevious: this.keys.done(bucket - 1),
    };
  }

  /** The queue is empty: wait on it with a blocking move (no polling delay for a new job). */
  private async blockForOne(): Promise<void> {
    if (this.closing) return;
    const connection = this.blocking ?? this.newBlockingConnection();
    const timeoutSeconds = this.settings.blockTimeoutSeconds;
    try {
      // Watchdog: a blocking command that never returns after a network cut must not hang the worker.
      const popped = await within(
        connection.blmove(this.keys.pending, this.landing, "LEFT", "RIGHT", timeoutSeconds),
        timeoutSeconds * 1000 + 5_000,
      );
      if (!popped.done) {
        this.log.warn({ queue: this.queue }, "blocking pop did not return in time; reconnecting");
        this.resetBlocking(connection);
        return;
      }
      if (popped.value === null || this.closing) {
        // Moved just as we closed: it sits in our landing list and is handed back by close().
        return;
      }
      // The pop took no token: take them now, and hand the job back if the limit says wait.
      let budget = Math.max(1, Math.min(this.settings.concurrency - this.inFlight.size, this.drainBudget));
      if (this.limiter) {
        const { granted, waitMs } = await this.limiter.acquire(budget);
        if (granted === 0) {
          await this.returnLanded();
          return this.idleForTokens(waitMs);
        }
        budget = granted;
      }
      // The claim takes the landed job in (or, when paused, puts it back: pause holds for it too).
      const claimed = await this.claim(budget - 1);
      if (claimed === "paused") {
        if (this.limiter) await this.limiter.refund(budget);
        this.pausedReason ??= "paused";
        return;
      }
      if (this.limiter) await this.limiter.refund(budget - claimed.length);
      this.accept(claimed);
    } catch (error) {
      if (this.closing) return;
      this.resetBlocking(connection);
      throw error;
    }
  }

  private newBlockingConnection(): RedisConnection {
    // A connection of its own: a blocked pop must never delay the other commands.
    const connection = this.redis.duplicate();
    // Outages are reported by the command path; the reconnect loop would only repeat them here.
    connection.on("error", (error: Error) =>
      this.log.debug({ queue: this.queue, err: error.message }, "blocking connection error"),
    );
    connection.on("close", this.onConnectionClosed);
    this.blocking = connection;
    return connection;
  }

  private resetBlocking(connection: RedisConnection): void {
    connection.disconnect();
    if (this.blocking === connection) this.blocking = null;
  }

  private accept(claimed: Held[]): void {
    if (Number.isFinite(this.drainBudget)) this.drainBudget -= claimed.length;
    // Claimed while closing: not started; close() hands the buffer back in this order.
    for (const held of claimed) this.buffer.push(held);
    this.startBuffered();
  }

  private startBuffered(): void {
    while (
      this.buffer.length > 0 &&
      this.inFlight.size < this.settings.concurrency &&
      !this.closing &&
      this.pausedReason === null
    ) {
      this.begin(this.buffer.shift() as Held);
    }
  }

  private begin(held: Held): void {
    const flight = new Flight(held, this.id);
    this.inFlight.add(flight);
    flight.done = this.run(flight);
  }

  private async run(flight: Flight): Promise<void> {
    try {
      const { field, payload } = flight.held;
      const parsed = parseRawJob(payload);
      if (!parsed.ok) return await this.deadLetterInvalid(field, payload, parsed.reason);
      const job = parsed.job;
      try {
        this.options.validate?.(job);
        flight.attempt = job.attempts + 1;
        await this.handler(job, flight);
      } catch (error) {
        await this.fail(flight.held, job, error);
        return;
      }
      this.tally.processed++;
      this.outcomes.ack(field, job);
      this.emit("completed", job);
    } finally {
      this.readAhead.jobFinished();
      this.inFlight.delete(flight);
      this.startBuffered();
      this.wake?.();
    }
  }

  private async deadLetterInvalid(field: string, payload: string, reason: string): Promise<void> {
    this.tally.deadLettered++;
    await this.outcomes.deadLetterInvalid(field, payload, reason, this.id);
    this.emit("dead", null, new PermanentError(reason, { reason: "invalid" }));
  }

  private async fail({ field, payload }: Held, job: Job, error: unknown): Promise<void> {
    const now = Date.now();
    const outcome = decideFailure(job, error, this.settings, now);
    switch (outcome.kind) {
      case "halt":
        await this.outcomes.handBack(field, payload, null, {
          dueAt: 0,
          statsField: "halted",
          error: outcome.message,
          pauseReason: outcome.message,
        });
        this.pausedReason = outcome.message;
        this.log.error(
          { queue: this.queue, reason: outcome.message },
          "queue halted: paused until an operator resumes it",
        );
        this.emit("halted", outcome.message);
        return;
      case "dead":
        this.tally.failed++;
        this.tally.deadLettered++;
        await this.outcomes.deadLetter(field, {
          id: job.id,
          reason: outcome.reason,
          error: outcome.message,
          attempts: outcome.job.attempts,
          failedAt: now,
          queue: this.queue,
          job: outcome.job,
          workerId: this.id,
        });
        this.emit("dead", outcome.job, error);
        return;
      case "retry":
        this.tally.failed++;
        this.tally.retried++;
        await this.outcomes.handBack(field, payload, outcome.job, {
          dueAt: now + outcome.delayMs,
          statsField: "retried",
          error: outcome.message,
        });
        this.emit("retrying", outcome.job, error, outcome.delayMs);
    }
  }

  /**
   * A claim whose reply was lost (connection cut after Redis ran it) leaves jobs in our active
   * hash that no handler knows of; our lease is alive, so nobody else would ever rescue them.
   * Runs in the claim loop, so no claim is under way meanwhile.
   */
  private async reconcile(): Promise<void> {
    await this.releaseActive();
    this.needsReconcile = false;
  }

  /**
   * Hands back every job we hold in Redis that is neither running, read ahead nor awaiting its ack.
   * `inQueueOrder` lists jobs whose queue order we know (read-ahead): they end up first, in order.
   */
  private async releaseActive(inQueueOrder: Held[] = []): Promise<void> {
    // Read-ahead jobs stay ours while we run; when closing they go back with the rest.
    const known = this.knownFields(!this.closing);
    let all: Record<string, string>;
    try {
      await this.returnLanded();
      all = await this.redis.hgetall(this.active);
    } catch (error) {
      this.needsReconcile = true;
      if (this.closing) return; // Redis away at shutdown: the lease expires and another worker recovers them.
      throw error;
    }
    const ordered = new Set(inQueueOrder.map((held) => held.field));
    const strangers = Object.entries(all).filter(([field]) => !known.has(field) && !ordered.has(field));
    // Each goes to the head of the queue, so the one that must come first goes last.
    const handBack = [...strangers.map(([field, payload]) => ({ field, payload })), ...[...inQueueOrder].reverse()];
    for (const { field, payload } of handBack) {
      if (all[field] === undefined) continue; // no longer ours
      await this.outcomes.handBack(field, payload, null, { dueAt: 0, statsField: "released" });
    }
  }

  /** Fields of the jobs this process knows it holds: running, awaiting their ack, and read ahead. */
  private knownFields(withReadAhead: boolean): Set<string> {
    return new Set<string>([
      ...[...this.inFlight].map((flight) => flight.held.field),
      ...(withReadAhead ? this.buffer.map((held) => held.field) : []),
      ...this.outcomes.unackedFields(),
    ]);
  }

  /** A job our blocking pop landed but no claim took in goes back to the head of the queue. */
  private async returnLanded(): Promise<void> {
    while ((await this.redis.lmove(this.landing, this.keys.pending, "RIGHT", "LEFT")) !== null) {}
  }

  private finishDrain(): Promise<void> {
    if (this.inFlight.size > 0 || this.buffer.length > 0) return this.idle(1_000);
    this.drainBudget = 0;
    if (!this.drainedEmitted) {
      this.drainedEmitted = true;
      this.emit("drained");
    }
    return this.idle(60_000);
  }

  /** The rate limit said wait: not less than a few ms (no spinning), not more than a second (shutdown). */
  private idleForTokens(waitMs: number): Promise<void> {
    return this.idle(Math.max(5, Math.min(waitMs, 1_000)));
  }

  /** Sleeps until `ms` passes or something happens (a slot frees, resume, shutdown). */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}

export function createWorker(queue: string, handler: Handler, options: WorkerOptions): Worker {
  return new Worker(queue, handler, options);
}

/** Processes up to `limit` jobs of `queue` now and reports what happened (cron, serverless). */
export async function drain(
  queue: string,
  handler: Handler,
  options: WorkerOptions & { limit: number },
): Promise<DrainResult> {
  const worker = new Worker(queue, handler, { ...options, autostart: false });
  return worker.drain(options.limit);
}
