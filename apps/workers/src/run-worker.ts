// The lifecycle every worker process shares: connect, run the engine's worker, log outcomes, and
// on SIGTERM/SIGINT stop claiming, let in-flight jobs finish within the grace period, hand back
// the rest and exit 0 (Procfile and platform conventions). A second signal exits at once; the
// lease then expires and another worker recovers the jobs.
import {
  createRedis,
  createWorker,
  errorMessage,
  type Handler,
  type Job,
  type RateLimit,
  type RedisConnection,
} from "@notify/queue";
import type { Logger } from "./logger.ts";

export interface RunWorkerOptions {
  queue: string;
  redisUrl: string;
  concurrency: number;
  graceMs: number;
  maxAttempts?: number;
  limiter?: RateLimit;
  logger: Logger;
  /** Extra fields for the start line, e.g. the provider name. */
  describe?: Record<string, unknown>;
  makeHandler(context: { redis: RedisConnection; onRetryAfter(ms: number): void }): Handler;
}

export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { logger } = options;
  // Auto-pipelining merges the per-job commands issued in one tick (suppression lookups, acks)
  // into one write: fewer syscalls per email.
  const redis = createRedis(options.redisUrl, { enableAutoPipelining: true });
  redis.on("error", (error: Error) => logger.warn({ err: error.message }, "redis connection error"));
  const context = {
    redis,
    onRetryAfter(ms: number) {
      void worker.limiter?.block(ms).catch(() => {});
    },
  };
  const worker = createWorker(options.queue, options.makeHandler(context), {
    connection: redis,
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    limiter: options.limiter,
    logger,
  });
  worker.on("dead", (job: Job | null, error: unknown) =>
    logger.warn(
      { jobId: job?.id, type: job?.type, to: job?.to, attempts: job?.attempts, err: errorMessage(error) },
      "job dead-lettered",
    ),
  );
  worker.on("retrying", (job: Job, error: unknown, delayMs: number) =>
    logger.info(
      { jobId: job.id, type: job.type, attempts: job.attempts, delayMs, err: errorMessage(error) },
      "job will be retried",
    ),
  );
  worker.on("halted", (reason: string) =>
    logger.error({ queue: options.queue, reason }, "queue paused: fix the cause, then resume it"),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now; leases expire and other workers recover the jobs");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: options.graceMs }, "shutting down: no new jobs, finishing in-flight ones");
    worker
      .close({ graceMs: options.graceMs })
      .catch((error: unknown) => logger.error({ err: errorMessage(error) }, "close failed"))
      .finally(() => {
        redis.disconnect();
        logger.info({}, "stopped");
        process.exit(0);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  await worker.start();
  logger.info(
    { queue: options.queue, workerId: worker.id, concurrency: options.concurrency, ...options.describe },
    "worker started",
  );
}
