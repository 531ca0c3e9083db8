// A worker process's share of a partitioned queue: one Worker per partition, each with its own
// lease, recovery, dead letters and blocking pop, so every guarantee of worker.ts holds per
// partition. Fairness: the process's concurrency is split evenly (rounded up), so a deep partition
// never starves the others; a slot of an empty partition is not lent to a busy one (jobs are
// spread evenly by producers, so partitions stay about equally deep).
import { MAX_DRAIN_FAILURES } from "./drain-failures.ts";
import type { Handler } from "./flight.ts";
import { resolvePartitions } from "./partition-env.ts";
import { registerPartitions } from "./partition-registry.ts";
import { assertPartitions, partitionNames } from "./partitions.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { type DrainResult, Worker } from "./worker.ts";
import { asError, WorkerEmitter, type WorkerListener } from "./worker-events.ts";
import type { WorkerOptions } from "./worker-settings.ts";

export interface PartitionedWorkerOptions extends WorkerOptions {
  /** The queue's partition count, the same as its producers' (`new Queue(name, {partitions})`). */
  partitions: number;
}

/** Events passed on as they come from any partition's worker; drained and closed wait for all. */
const FORWARDED = ["active", "completed", "retrying", "dead", "halted", "lost", "leaseLost", "error"] as const;

export class PartitionedWorker extends WorkerEmitter {
  readonly queue: string;
  readonly workers: readonly Worker[];
  private running: Promise<void> | null = null;

  constructor(
    queue: string,
    handler: Handler,
    private readonly options: PartitionedWorkerOptions,
  ) {
    super();
    assertPartitions(queue, options.partitions);
    this.queue = queue;
    const names = partitionNames(queue, options.partitions);
    const share = (total: number | undefined) =>
      total === undefined ? undefined : Math.max(1, Math.ceil(total / names.length));
    // One token bucket for the logical queue, not one per partition (which would multiply the limit).
    const limiter = options.limiter ? { ...options.limiter, name: options.limiter.name ?? queue } : undefined;
    this.workers = names.map(
      (physical, i) =>
        new Worker(physical, handler, {
          ...options,
          concurrency: share(options.concurrency ?? 10),
          prefetch: share(options.prefetch),
          limiter,
          // Foreign producers' lists feed partition 0, the queue's own name.
          sourceLists: i === 0 ? options.sourceLists : undefined,
          autostart: false,
        }),
    );
    this.on("error", () => {});
    for (const worker of this.workers) {
      for (const event of FORWARDED) {
        worker.on(event, ((...args: unknown[]) =>
          (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args)) as WorkerListener[typeof event]);
      }
    }
    if (options.autostart !== false) {
      void this.start().catch((error: unknown) => this.emit("error", asError(error)));
    }
  }

  /** The lease ids of the partitions' workers, partition 0 first. */
  get id(): string {
    return this.workers.map((worker) => worker.id).join(",");
  }

  get concurrency(): number {
    return this.workers.reduce((sum, worker) => sum + worker.concurrency, 0);
  }

  get limiter(): RateLimiter | null {
    return this.workers[0]?.limiter ?? null;
  }

  /** Registers the partition count (refused when producers registered another), then starts every partition. */
  start(): Promise<void> {
    this.running ??= this.register().then(async () => {
      await Promise.all(this.workers.map((worker) => worker.start()));
    });
    return this.running;
  }

  /** One partition is a plain queue: nothing to register, as with `new Queue(name)`. */
  private register(): Promise<void> {
    if (this.workers.length === 1) return Promise.resolve();
    return registerPartitions(this.options.connection, this.queue, this.workers.length, this.options.prefix);
  }

  /** Up to `limit` jobs, split evenly over the partitions. */
  async drain(limit: number): Promise<DrainResult> {
    // Each partition's worker starts itself for its drain (with its budget set first).
    await this.register();
    const share = Math.ceil(Math.max(0, limit) / this.workers.length);
    const all = await Promise.all(this.workers.map((worker) => worker.drain(share)));
    this.emit("drained");
    type Count = Exclude<keyof DrainResult, "failures">;
    const failures = all.flatMap((r) => r.failures);
    const sum = (key: Count) => all.reduce((total, r) => total + r[key], 0);
    return {
      processed: sum("processed"),
      failed: sum("failed"),
      retried: sum("retried"),
      deadLettered: sum("deadLettered"),
      remaining: sum("remaining"),
      durationMs: Math.max(0, ...all.map((r) => r.durationMs)),
      failures: failures.slice(0, MAX_DRAIN_FAILURES),
      failuresOmitted: sum("failuresOmitted") + Math.max(0, failures.length - MAX_DRAIN_FAILURES),
    };
  }

  async close(options?: { graceMs?: number }): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(options)));
    this.emit("closed");
  }
}

/** A worker of `queue`; given `partitions`, one that consumes every partition of it. */
export function createWorker(queue: string, handler: Handler, options: PartitionedWorkerOptions): PartitionedWorker;
export function createWorker(queue: string, handler: Handler, options: WorkerOptions): Worker;
export function createWorker(
  queue: string,
  handler: Handler,
  options: WorkerOptions | PartitionedWorkerOptions,
): Worker | PartitionedWorker {
  return "partitions" in options ? new PartitionedWorker(queue, handler, options) : new Worker(queue, handler, options);
}

/**
 * Processes up to `limit` jobs of `queue` now and stops (cron, serverless), with the same
 * guarantees as a worker. It covers every partition: `partitions` when given, else the count
 * QUEUE_PARTITIONS or the registry gives the queue (what a worker process would consume).
 */
export async function drain(
  queue: string,
  handler: Handler,
  options: WorkerOptions & { limit: number; partitions?: number; env?: NodeJS.ProcessEnv },
): Promise<DrainResult> {
  const { limit, env, partitions: given, ...workerOptions } = options;
  const partitions = given ?? (await resolvePartitions(options.connection, queue, { env, prefix: options.prefix }));
  const worker =
    partitions > 1
      ? new PartitionedWorker(queue, handler, { ...workerOptions, partitions, autostart: false })
      : new Worker(queue, handler, { ...workerOptions, autostart: false });
  return worker.drain(limit);
}
