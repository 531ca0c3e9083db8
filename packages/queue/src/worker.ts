// The worker runtime.
//
// Delivery guarantee: at least once, and one copy of a job at a time. A job moves atomically from
// the pending list to this worker's own active hash (claimJobs-8.lua; BLMOVE into its landing list
// when the queue is idle) and leaves it only when its outcome is written (ack, retry, dead
// letter). The held hash names the one worker holding each job id, so a second copy (a producer's
// retried push) is dropped while the first is held anywhere. If the process dies, its lease
// expires and another worker hands the jobs back, counting an attempt; a frozen worker that wakes
// up is fenced (lease.ts) and starts nothing it no longer owns. A job can therefore run twice only
// when it was inside a handler at a kill or freeze: handlers must be idempotent by job id.
// Delivered ids are remembered for `dedupeWindowMs`, so a job pushed twice or handed back after
// its ack already landed is skipped.
//
// Steps: start() registers the lease and the maintenance timer, then loop() claims into a
// read-ahead buffer, run() hands each job to the handler, and the OutcomeWriter writes what
// happened. close() stops claiming, lets handlers finish, hands back the rest, and gives up the
// lease only when nothing is held under it any more.
import { BlockingPop, type Popped, popDeadlineMs } from "./blocking-pop.ts";
import { CLAIM_WHEN_FREE, ClaimsUnderway } from "./claims-underway.ts";
import type { RedisConnection } from "./connection.ts";
import { collectFailures, type DrainFailure } from "./drain-failures.ts";
import { errorMessage, PermanentError } from "./errors.ts";
import { decideFailure, isExpired } from "./failure.ts";
import { Fifo } from "./fifo.ts";
import { Flight, type Handler } from "./flight.ts";
import { type Job, type ParseLimits, parseRawJob } from "./job.ts";
import { type QueueKeys, queueKeys, registryKey } from "./keys.ts";
import { Lease } from "./lease.ts";
import { type Logger, stderrLogger } from "./logger.ts";
import { Maintenance } from "./maintenance.ts";
import { OutcomeWriter } from "./outcomes.ts";
import { type RateLimiter, rateLimiterFor } from "./rate-limiter.ts";
import { ReadAhead } from "./read-ahead.ts";
import { warnOnEvictionPolicy } from "./redis-info.ts";
import { type ClaimArgs, type Claimed, claimJobs, type Held, type Holder, returnLanded } from "./scripts.ts";
import { SilentConnectionWatch } from "./silent-connection.ts";
import { SourceForwarder } from "./source-lists.ts";
import { doneBucket } from "./time-buckets.ts";
import { within } from "./timeout.ts";
import { tracedProcess } from "./tracing.ts";
import { asError, WorkerEmitter } from "./worker-events.ts";
import { newWorkerId, resolveSettings, type WorkerOptions, type WorkerSettings } from "./worker-settings.ts";

export interface DrainResult {
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  remaining: number;
  durationMs: number;
  /** Each job that failed in this drain, with why (drain-failures.ts). */
  failures: DrainFailure[];
  failuresOmitted: number;
}

/** How long close() waits for Redis beyond the grace period before leaving the rest to recovery. */
const CLOSE_WRITE_MS = 5_000;
/** After the grace period, aborted handlers get this long to return before the lease is kept for them. */
const ABORT_WAIT_MS = 1_000;
/** While the lease is unconfirmed, ask again no more often than this. */
const BEAT_RETRY_MS = 100;

export class Worker extends WorkerEmitter {
  readonly queue: string;
  readonly limiter: RateLimiter | null;
  private readonly keys: QueueKeys;
  private readonly settings: WorkerSettings;
  private readonly parseLimits: ParseLimits;
  private readonly redis: RedisConnection;
  private readonly log: Logger;
  private readonly lease: Lease;
  private readonly outcomes: OutcomeWriter;
  private readonly maintenance: Maintenance;
  private readonly sources: SourceForwarder | null;
  private readonly blockingPop: BlockingPop;
  private readonly inFlight = new Set<Flight>();
  /** Claimed (in our active hash) but not started yet: the next jobs start without a round trip. */
  private readonly buffer = new Fifo<Held>();
  private readonly readAhead: ReadAhead;
  private readonly startedAt = Date.now();
  private running: Promise<void> | null = null;
  private looping: Promise<void> | null = null;
  private drainedEmitted = false;
  private needsReconcile = false;
  private closing = false;
  private pausedReason: string | null = null;
  private wake: (() => void) | null = null;
  /**
   * While the loop idles for want of room to claim, a finished job wakes it only once this few
   * jobs are held: waking it for every job cost a timer, a promise and a turn of the loop each.
   */
  private wakeAtHeld = Number.POSITIVE_INFINITY;
  private readonly claimsUnderway = new ClaimsUnderway();
  private readonly silence: SilentConnectionWatch;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastBeatAskedAt = 0;
  private drainBudget = Number.POSITIVE_INFINITY;
  private readonly tally = { processed: 0, failed: 0, retried: 0, deadLettered: 0 };
  /** The latest a blocking pop, and the claim sent behind it, can answer. */
  private readonly popDeadlineMs: number;
  /**
   * Whether the claim rides behind the blocking pop. Not with a rate limit (tokens come after the
   * pop), nor with a de-duplication window shorter than the wait: the claim checks the window it
   * was sent in, the one before and the one it may run in at the latest, so a shorter window would
   * leave some unchecked.
   */
  private readonly claimBehindPop: boolean;

  constructor(
    queue: string,
    private readonly handler: Handler,
    private readonly options: WorkerOptions,
  ) {
    super();
    this.queue = queue;
    this.keys = queueKeys(queue, options.prefix);
    this.settings = resolveSettings(options);
    this.parseLimits = { maxBytes: this.settings.maxJobBytes, defaultType: this.settings.defaultType };
    // With a rate limit, every claimed job must have its token: no read-ahead then.
    this.readAhead = options.limiter
      ? new ReadAhead(0, true)
      : new ReadAhead(this.settings.prefetch, !this.settings.adaptivePrefetch);
    this.redis = options.connection;
    this.log = options.logger ?? stderrLogger;
    const baseId = newWorkerId();
    this.lease = new Lease(this.redis, this.keys, baseId, this.settings, () => ({
      host: baseId.split("-").slice(0, -2).join("-"),
      pid: process.pid,
      concurrency: this.settings.concurrency,
      // So a dashboard can say "attempt n of max" for a retry whose job sets no limit of its own.
      maxAttempts: this.settings.maxAttempts,
      startedAt: this.startedAt,
      lastBeatAt: Date.now(),
      running: this.inFlight.size,
    }));
    this.outcomes = new OutcomeWriter(this.redis, this.keys, this.settings, this.log, (lost) => {
      this.log.warn(
        { queue, workerId: this.id, lost },
        "acked jobs were no longer ours: the lease had been taken and they were recovered, so they may run twice",
      );
      this.emit("lost", lost);
    });
    this.maintenance = new Maintenance({
      redis: this.redis,
      keys: this.keys,
      settings: this.settings,
      outcomes: this.outcomes,
      log: this.log,
      holder: () => (this.lease.isSafe() && !this.closing ? this.lease.holder : null),
    });
    this.blockingPop = new BlockingPop(
      this.redis,
      { name: queue, pending: this.keys.pending },
      this.log,
      this.onConnectionClosed,
    );
    this.sources = options.sourceLists?.length
      ? new SourceForwarder(this.redis, { name: queue, pending: this.keys.pending }, options.sourceLists, this.log)
      : null;
    this.limiter = options.limiter ? rateLimiterFor(this.redis, queue, options.limiter, options.prefix) : null;
    this.popDeadlineMs = popDeadlineMs(this.settings.blockTimeoutSeconds);
    this.silence = new SilentConnectionWatch(this.redis, this.settings.leaseMs, (silentForMs) =>
      this.log.warn({ queue, silentForMs }, "Redis connection is open but silent; reconnecting"),
    );
    this.claimBehindPop = !this.limiter && this.settings.dedupeWindowMs >= this.popDeadlineMs;
    // An 'error' event without a listener would crash the process; errors are logged instead.
    this.on("error", () => {});
    this.redis.on("close", this.onConnectionClosed);
    // A Cluster client emits "close" only when every node is gone; losing one node (a failover)
    // can swallow a claim's reply just the same.
    this.redis.on("-node", this.onConnectionClosed);
    if (options.autostart !== false) void this.start();
  }

  /** The id of the current lease epoch (it changes only after the lease was taken away). */
  get id(): string {
    return this.lease.id;
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
    const stopListening = collectFailures(this);
    try {
      await this.sources?.sweep();
      await this.start();
      await new Promise<void>((resolve) => this.once("drained", resolve));
      await this.close();
    } catch (error) {
      stopListening();
      throw error;
    }
    const heard = stopListening();
    const [waiting, prioritized] = await Promise.all([
      this.redis.llen(this.keys.pending),
      this.redis.zcard(this.keys.prioritized),
    ]);
    const remaining = waiting + prioritized;
    return { ...this.tally, remaining, durationMs: Date.now() - started, ...heard };
  }

  /**
   * Stops claiming, lets in-flight jobs finish for `graceMs` (heartbeats go on meanwhile), then
   * aborts and hands back what is still running, writes every pending ack, and gives up the lease
   * only when nothing is held under it. A handler that ignores its abort signal keeps its job
   * under the lease, which then expires and is recovered by another worker.
   */
  async close({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const readAhead = this.buffer.takeAll(); // not started: handed back below, in queue order
    this.maintenance.stop();
    const sourcesStopped = this.sources?.stop();
    this.wake?.();
    this.blockingPop.close();
    // With Redis away the writes below would wait forever: past the deadline we stop waiting.
    const closed = await within(
      this.finishClose(graceMs, readAhead).then(
        () => true,
        () => false,
      ),
      graceMs + ABORT_WAIT_MS + CLOSE_WRITE_MS,
    );
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.lease.retire();
    await sourcesStopped;
    this.redis.off("close", this.onConnectionClosed);
    this.redis.off("-node", this.onConnectionClosed);
    if (!(closed.done && closed.value)) {
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
    if (!finished.done) {
      for (const flight of this.inFlight) flight.abort(new Error("worker shutting down"));
      await within(Promise.all([...this.inFlight].map((f) => f.done)), ABORT_WAIT_MS);
    }
    await this.outcomes.flushAll();
    await this.releaseActive([...readAhead, ...this.buffer.takeAll()]);
    const { active, landing } = this.lease.holder;
    const held = this.inFlight.size + (await this.redis.hlen(active)) + (await this.redis.llen(landing));
    if (held === 0) {
      await this.lease.release();
      return;
    }
    // Giving up the lease now would strand these jobs where no live worker looks for them.
    this.log.error(
      { queue: this.queue, workerId: this.id, held, leaseMs: this.settings.leaseMs },
      "jobs still running at shutdown (their handlers ignored the abort signal) stay under this worker's lease; another worker runs them again once it expires",
    );
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
    // The registry only lists queues for stats; a refusal (OOM) must not stop the worker.
    await this.redis.sadd(registryKey(this.options.prefix), this.queue).catch((error: unknown) => {
      this.log.warn({ queue: this.queue, err: errorMessage(error) }, "could not register the queue name");
    });
    await this.lease.register();
    warnOnceAboutEviction(this.redis, this.log);
    this.heartbeatTimer = setInterval(() => void this.beat(), this.settings.heartbeatMs);
    this.maintenance.start();
    // A drain only sweeps them once (drain()); a long-running worker follows them.
    if (!Number.isFinite(this.drainBudget) && !this.closing) this.sources?.start();
  }

  private async beat(): Promise<void> {
    this.lastBeatAskedAt = Date.now();
    this.silence.check(this.lastBeatAskedAt);
    const wasSafe = this.lease.isSafe();
    const outcome = await this.silence.probe(this.lease.beat());
    switch (outcome.kind) {
      case "failed":
        if (!this.closing) this.log.warn({ queue: this.queue, err: outcome.error }, "heartbeat failed");
        return;
      case "lost":
        await this.onLeaseLost(outcome.previous);
        await this.applyPause(outcome.pausedReason);
        if (this.closing) this.lease.retire();
        else void this.beat(); // registers the new epoch
        return;
      case "renewed":
        await this.applyPause(outcome.pausedReason);
        if (!wasSafe) {
          this.startBuffered();
          this.wake?.();
        }
        return;
    }
  }

  /** Asks for a heartbeat now unless one was asked for very recently (the lease is unconfirmed). */
  private beatSoon(): void {
    if (Date.now() - this.lastBeatAskedAt >= BEAT_RETRY_MS && !this.closing) void this.beat();
  }

  /**
   * Our lease was taken (we were frozen or cut off past it) and the rescuer now owns everything we
   * held under it. Running jobs are told to stop; jobs read ahead are dropped, not run; whatever
   * reached the old epoch's lists after the rescue goes back to the queue.
   */
  private async onLeaseLost(previous: Holder): Promise<void> {
    this.log.error(
      { queue: this.queue, workerId: previous.id },
      "lease was lost (heartbeats did not reach Redis in time); in-flight jobs were recovered elsewhere",
    );
    this.emit("leaseLost", previous.id);
    for (const flight of this.inFlight) {
      if (flight.held.holder === previous) flight.abort(new Error("lease lost"));
    }
    this.buffer.retain((held) => held.holder !== previous);
    try {
      await this.returnLanded(previous.landing);
      const running = new Set([...this.inFlight].map((flight) => flight.held.field));
      for (const [field, payload] of Object.entries(await this.redis.hgetall(previous.active))) {
        if (!running.has(field)) {
          await this.outcomes.handBack({ field, payload, holder: previous }, null, {
            dueAt: 0,
            statsField: "released",
          });
        }
      }
    } catch (error) {
      this.log.warn({ queue: this.queue, err: errorMessage(error) }, "could not clean up the lost lease's lists");
    }
  }

  private async applyPause(pausedReason: string | null): Promise<void> {
    const wasPaused = this.pausedReason !== null;
    this.pausedReason = pausedReason;
    if (!wasPaused && pausedReason !== null && this.buffer.length > 0) {
      // Paused: jobs read ahead but not started go back to the head of the queue.
      await this.releaseActive(this.buffer.takeAll());
    }
    if (wasPaused && pausedReason === null) {
      this.startBuffered();
      this.wake?.();
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
        this.emit("error", asError(error));
        if (failures === 1 || failures % 20 === 0) {
          this.log.warn({ queue: this.queue, err: errorMessage(error), failures }, "claim failed; retrying");
        }
        await this.idle(Math.min(100 * failures, 2_000));
      }
    }
    // close() hands back the buffer once the loop is done: every claimed job must be in it by then.
    await this.claimsUnderway.settle();
  }

  /** Jobs running, read ahead, and asked for by claims underway. */
  private heldCount(): number {
    return this.inFlight.size + this.buffer.length + this.claimsUnderway.jobsRequested;
  }

  /** One turn of the loop: wait for a free slot and a token, then claim as many jobs as fit. */
  private async fill(): Promise<void> {
    if (this.needsReconcile) {
      await this.claimsUnderway.settle();
      // Closing meanwhile: close() hands back everything not running, read-ahead in order.
      if (this.closing) return;
      await this.reconcile();
    }
    if (this.pausedReason !== null) return this.idle(1_000);
    if (!this.lease.isSafe()) {
      // A gap in our heartbeats: we may have been rescued. Claim nothing until the lease is confirmed.
      this.beatSoon();
      return this.idle(BEAT_RETRY_MS);
    }
    if (this.drainBudget <= 0) return this.finishDrain();
    const held = this.heldCount();
    const prefetch = this.readAhead.current();
    const room = Math.min(this.settings.concurrency + prefetch - held, this.drainBudget);
    // Claim in worthwhile batches (claims-underway.ts: why a third); a completion wakes the loop
    // when there is room again.
    const worthwhile = held === 0 ? 1 : Math.max(1, Math.ceil(prefetch / CLAIM_WHEN_FREE));
    if (room < worthwhile) {
      // Room grows by one a finished job: a worthwhile claim needs held down to this (or to none).
      const wakeAtHeld = this.drainBudget >= worthwhile ? this.settings.concurrency + prefetch - worthwhile : 0;
      return this.idle(1_000, wakeAtHeld);
    }
    // Busy and the queue has more: send this claim behind the one underway and go on running jobs.
    // (Not under a rate limit, whose tokens are settled per claim, nor in a drain, which counts them.)
    if (!this.limiter && !Number.isFinite(this.drainBudget) && held > 0 && this.claimsUnderway.canSendAhead()) {
      this.claimsUnderway.send(room, () => this.claim(room), this.underwayHandlers);
      return;
    }
    // A claim the loop waits for goes out only once none is underway; the last to answer wakes it.
    if (this.claimsUnderway.count > 0) return this.idle(1_000, 0);
    let wanted = room;
    if (this.limiter) {
      const { granted, waitMs } = await this.limiter.acquire(room);
      if (granted === 0) return this.idleForTokens(waitMs);
      wanted = granted;
    }
    const claimed = await this.claim(wanted).catch((error: unknown) => {
      // Failed: the next claim is awaited too, so the loop's backoff sees every failure.
      this.claimsUnderway.settled("failed", wanted);
      throw error;
    });
    this.claimsUnderway.settled(claimed, wanted);
    if (this.limiter) await this.limiter.refund(wanted - (typeof claimed === "string" ? 0 : claimed.length));
    if (typeof claimed === "string") return;
    if (claimed.length > 0) {
      this.accept(claimed);
      return;
    }
    if (Number.isFinite(this.drainBudget)) return this.finishDrain();
    if (this.buffer.length > 0 || this.inFlight.size >= this.settings.concurrency) return this.idle(1_000);
    await this.blockForOne();
  }

  private readonly underwayHandlers = {
    accept: (claimed: Held[]) => this.accept(claimed),
    failed: (error: unknown) => {
      // Its reply may be lost after Redis ran it: check the active hash before the next claim.
      this.needsReconcile = true;
      this.emit("error", asError(error));
    },
    answered: () => this.wake?.(),
  };

  /**
   * Takes in what the blocking pop landed, then up to `max` jobs from the queue, on `connection`
   * (the blocking one when the claim rides behind the pop) under `holder`'s epoch.
   */
  private async claim(max: number, connection = this.redis, holder = this.lease.holder): Promise<Claimed> {
    // A claim sent behind a blocking pop may run up to its timeout later, past a window's end.
    const lookAhead = connection !== this.redis;
    const claimed = await claimJobs(connection, this.claimArgs(max, holder, lookAhead));
    // Told by a claim before the next heartbeat: the read-ahead goes back to the queue just the same.
    if (claimed === "paused" && this.pausedReason === null) await this.applyPause("paused");
    // Redis says our lease is not live: stop until a heartbeat settles whether it was taken. (An
    // epoch fenced meanwhile is already replaced; the script put its landed job back.)
    if (claimed === "lease" && holder === this.lease.holder) {
      this.lease.distrust();
      this.beatSoon();
    }
    return claimed;
  }

  private claimArgs(max: number, holder: Holder, lookAhead: boolean): ClaimArgs {
    const now = Date.now();
    const bucket = doneBucket(now, this.settings.dedupeWindowMs);
    // Only when claimBehindPop holds: the window is no shorter than the wait, so at most one more.
    const later = lookAhead ? doneBucket(now + this.popDeadlineMs, this.settings.dedupeWindowMs) : bucket;
    return {
      pending: this.keys.pending,
      prioritized: this.keys.prioritized,
      meta: this.keys.meta,
      stats: this.keys.stats,
      workers: this.keys.workers,
      held: this.keys.held,
      holder,
      max,
      doneCurrent: this.keys.done(bucket),
      donePrevious: this.keys.done(bucket - 1),
      ...(later !== bucket ? { doneNext: this.keys.done(later) } : {}),
    };
  }

  /**
   * The queue is empty: wait on it with a blocking move (no polling delay for a new job). Without
   * a rate limit (and with a de-duplication window no shorter than the wait) the claim rides right
   * behind the pop; otherwise it is sent once the pop is back. The pop takes no token, so the
   * tokens are taken after it and the landed job is handed back if the limit says wait.
   */
  private async blockForOne(): Promise<void> {
    if (this.closing) return;
    const holder = this.lease.holder;
    const budget = Math.max(1, Math.min(this.settings.concurrency - this.inFlight.size, this.drainBudget));
    const behind = this.claimBehindPop
      ? (connection: RedisConnection) => this.claim(budget - 1, connection, holder)
      : undefined;
    let popped: Popped<Claimed>;
    try {
      popped = await this.blockingPop.pop(holder.landing, this.settings.blockTimeoutSeconds, behind);
    } catch (error) {
      if (this.closing) return;
      throw error;
    }
    if (popped.next) {
      let claimed: Claimed;
      try {
        claimed = await popped.next;
      } catch (error) {
        // Its reply is lost, not necessarily its effect: the connection's close asks for a reconcile.
        if (this.closing) return;
        throw error;
      }
      if (typeof claimed !== "string") this.accept(claimed);
      return;
    }
    // Moved just as we closed: it sits in our landing list and is handed back by close().
    if (!popped.landed || this.closing) return;
    if (this.lease.holder !== holder) {
      // Landed under an epoch that was fenced meanwhile: no claim will take it in, so put it back.
      await this.returnLanded(holder.landing);
      return;
    }
    let granted = budget;
    if (this.limiter) {
      const tokens = await this.limiter.acquire(budget);
      if (tokens.granted === 0) {
        await this.returnLanded(holder.landing);
        return this.idleForTokens(tokens.waitMs);
      }
      granted = tokens.granted;
    }
    // The claim takes the landed job in (or, when paused or fenced, puts it back).
    const claimed = await this.claim(granted - 1);
    if (this.limiter) await this.limiter.refund(granted - (typeof claimed === "string" ? 0 : claimed.length));
    if (typeof claimed !== "string") this.accept(claimed);
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
      if (!this.lease.isSafe()) {
        // Possibly rescued while we were frozen: these may already belong to another worker.
        this.beatSoon();
        return;
      }
      this.begin(this.buffer.shift() as Held);
    }
  }

  private begin(held: Held): void {
    const flight = new Flight(held);
    this.inFlight.add(flight);
    flight.done = this.run(flight);
  }

  private async run(flight: Flight): Promise<void> {
    const { held } = flight;
    try {
      const parsed = parseRawJob(held.payload, this.parseLimits);
      if (!parsed.ok) return await this.deadLetterInvalid(held, parsed.reason, parsed.kind);
      const job = parsed.job;
      let started = 0;
      try {
        if (job.expiresAt !== undefined && isExpired(job, Date.now())) {
          throw new PermanentError("expired before it could be sent", { reason: "expired" });
        }
        this.options.validate?.(job);
        flight.attempt = job.attempts + 1;
        this.emit("active", job);
        started = performance.now();
        if (job.trace === undefined) await this.handler(job, flight);
        else
          await tracedProcess(this.queue, job, flight.attempt, async () => {
            await this.handler(job, flight);
          });
      } catch (error) {
        await this.fail(held, job, error);
        return;
      }
      this.tally.processed++;
      this.outcomes.ack(held, job, performance.now() - started);
      this.emit("completed", job);
    } finally {
      this.readAhead.jobFinished();
      this.inFlight.delete(flight);
      this.startBuffered();
      if (this.heldCount() <= this.wakeAtHeld) this.wake?.();
    }
  }

  private async deadLetterInvalid(held: Held, reason: string, kind: "invalid" | "too_large"): Promise<void> {
    this.tally.deadLettered++;
    await this.outcomes.deadLetterInvalid(held, reason, kind);
    this.emit("dead", null, new PermanentError(reason, { reason: kind }));
  }

  private async fail(held: Held, job: Job, error: unknown): Promise<void> {
    const now = Date.now();
    const outcome = decideFailure(job, error, this.settings, now);
    switch (outcome.kind) {
      case "halt":
        await this.outcomes.handBack(held, null, {
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
        await this.outcomes.deadLetter(held, {
          id: job.id,
          reason: outcome.reason,
          error: outcome.message,
          attempts: outcome.job.attempts,
          failedAt: now,
          queue: this.queue,
          job: outcome.job,
          workerId: held.holder.id,
        });
        this.emit("dead", outcome.job, asError(error));
        return;
      case "retry":
        this.tally.failed++;
        this.tally.retried++;
        await this.outcomes.handBack(held, outcome.job, {
          dueAt: now + outcome.delayMs,
          statsField: "retried",
          error: outcome.message,
        });
        this.emit("retrying", outcome.job, asError(error), outcome.delayMs);
    }
  }

  /**
   * A claim whose reply was lost (connection cut after Redis ran it) leaves jobs in our active
   * hash that no handler knows of; our lease is alive, so nobody else would ever rescue them.
   * Runs in the claim loop once every claim underway has answered, so none is under way meanwhile.
   */
  private async reconcile(): Promise<void> {
    await this.releaseActive();
    this.needsReconcile = false;
  }

  /**
   * Hands back every job we hold in Redis under the current epoch that is neither running, read
   * ahead nor awaiting its ack. `inQueueOrder` lists jobs whose queue order we know (read-ahead):
   * they end up first, in order.
   */
  private async releaseActive(inQueueOrder: Held[] = []): Promise<void> {
    const holder = this.lease.holder;
    // Known before the HGETALL too: close() or a pause may take the read-ahead out of the buffer meanwhile.
    const knownBefore = this.knownFields(!this.closing);
    let all: Record<string, string>;
    try {
      await this.returnLanded(holder.landing);
      all = await this.redis.hgetall(holder.active);
    } catch (error) {
      this.needsReconcile = true;
      if (this.closing) return; // Redis away at shutdown: the lease expires and another worker recovers them.
      throw error;
    }
    // Read only now: a claim sent before the HGETALL on this connection has answered, and its jobs
    // are in the buffer, not strangers. Read-ahead jobs stay ours while we run; when closing they
    // go back with the rest.
    const known = this.knownFields(!this.closing);
    for (const field of knownBefore) known.add(field);
    const ordered = new Set(inQueueOrder.map((held) => held.field));
    const strangers: Held[] = Object.entries(all)
      .filter(([field]) => !known.has(field) && !ordered.has(field))
      .map(([field, payload]) => ({ field, payload, holder }));
    // Each goes to the head of the queue, so the one that must come first goes last.
    for (const held of [...strangers, ...[...inQueueOrder].reverse()]) {
      if (all[held.field] === undefined) continue; // no longer ours
      await this.outcomes.handBack(held, null, { dueAt: 0, statsField: "released" });
    }
  }

  /** Fields of the jobs this process knows it holds: running, awaiting their ack, and read ahead. */
  private knownFields(withReadAhead: boolean): Set<string> {
    return new Set<string>([
      ...[...this.inFlight].map((flight) => flight.held.field),
      ...(withReadAhead ? this.buffer.toArray().map((held) => held.field) : []),
      ...this.outcomes.unackedFields(),
    ]);
  }

  /** A job a blocking pop landed but no claim took in goes back to the head of the queue. */
  private async returnLanded(landing: string): Promise<void> {
    await returnLanded(this.redis, { landing, pending: this.keys.pending });
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

  /**
   * Sleeps until `ms` passes or something happens (a slot frees, resume, shutdown); a finished
   * job counts only once no more than `wakeAtHeld` jobs are held.
   */
  private idle(ms: number, wakeAtHeld = Number.POSITIVE_INFINITY): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) {
          self.wake = null;
          self.wakeAtHeld = Number.POSITIVE_INFINITY;
        }
        resolve();
      }
      this.wake = done;
      this.wakeAtHeld = wakeAtHeld;
    });
  }
}

const evictionChecked = new WeakSet<object>();
/** An evicting maxmemory-policy silently drops queued jobs: say so loudly, once per connection. */
function warnOnceAboutEviction(redis: RedisConnection, log: Logger): void {
  if (evictionChecked.has(redis)) return;
  evictionChecked.add(redis);
  void warnOnEvictionPolicy(redis, (message) => log.error({ maxmemoryPolicy: true }, message));
}
