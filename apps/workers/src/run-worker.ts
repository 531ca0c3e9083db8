// The lifecycle every worker process shares: check the configuration, connect, build the
// channel's delivery target (@notify/delivery, the same one a drain uses), run the engine's
// worker, log outcomes, and on SIGTERM/SIGINT stop claiming, let in-flight jobs finish within the
// grace period, hand back the rest and exit 0 (Procfile and platform conventions). A second signal
// exits at once; the lease then expires and another worker recovers the jobs.
import { type Channel, createDeliveryTarget, QUEUE_OF } from "@notify/delivery";
import {
  createRedis,
  createWorker,
  errorMessage,
  type Job,
  PartitionCountError,
  type PartitionedWorker,
  partitionsFromEnv,
  resolvePartitions,
  type Worker,
} from "@notify/queue";
import { startTracing } from "@notify/telemetry";
import { ConfigError, channelSwitch, configOrExit } from "./config.ts";
import { createLogger, exitAfterFlush, type Logger } from "./logger.ts";
import { followRegisteredPartitions } from "./partition-follower.ts";

export interface RunWorkerOptions {
  channel: Channel;
  /** Checks every variable the channel reads; a bad one ends the process with one line. */
  loadConfig(): { REDIS_URL: string; LOG_LEVEL: string; DEBUG: string; SHUTDOWN_GRACE_MS: number };
  /** Runs once connected, before the first claim (the analytics worker registers its schedule). */
  beforeStart?(redis: ReturnType<typeof createRedis>): Promise<void>;
}

export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const config = await configOrExit(options.loadConfig);
  const logger = createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component: options.channel });
  const toggle = await configOrExit(() => channelSwitch(options.channel));
  if (toggle && !toggle.enabled) return idleWhileSwitchedOff(options.channel, toggle.variable, logger);
  // Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracing({ serviceName: `notify-${options.channel}-worker` });
  // Auto-pipelining merges the per-job commands issued in one tick (suppression lookups, acks)
  // into one write: fewer syscalls per email.
  const redis = createRedis(config.REDIS_URL, { enableAutoPipelining: true });
  redis.on("error", (error: Error) => logger.warn({ err: error.message }, "redis connection error"));
  // QUEUE_PARTITIONS's count for this queue, else the one producers registered: the process then
  // consumes every partition. A count Redis registered differently ends the process with one line.
  const partitions = await configOrExit(() =>
    resolvePartitions(redis, QUEUE_OF[options.channel]).catch(partitionProblem),
  );
  const target = await configOrExit(() => createDeliveryTarget(options.channel, { redis, env: process.env, logger }));
  const engineOptions = { connection: redis, logger, ...target.options };
  const startWorker = (count: number): Worker | PartitionedWorker => {
    const started =
      count > 1
        ? createWorker(target.queue, target.handler, { ...engineOptions, partitions: count })
        : createWorker(target.queue, target.handler, engineOptions);
    logOutcomes(started, target.queue, logger);
    return started;
  };
  let worker = startWorker(partitions);
  // The worker a partition count change replaced, finishing its in-flight jobs.
  let retiring: Promise<void> = Promise.resolve();

  let stopping = false;
  let stopFollowing = () => {};
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now; leases expire and other workers recover the jobs");
      exitAfterFlush(logger, 1);
      return;
    }
    stopping = true;
    stopFollowing();
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, "shutting down: no new jobs, finishing in-flight ones");
    Promise.all([worker.close({ graceMs: config.SHUTDOWN_GRACE_MS }), retiring])
      .catch((error: unknown) => logger.error({ err: errorMessage(error) }, "close failed"))
      .finally(async () => {
        await tracing?.shutdown().catch(() => {});
        redis.disconnect();
        logger.info({}, "stopped");
        exitAfterFlush(logger, 0);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  await options.beforeStart?.(redis);
  await worker.start();
  if (partitions === 1 && !partitionsFromEnv().has(target.queue)) {
    stopFollowing = followRegisteredPartitions(
      redis,
      target.queue,
      partitions,
      async (count) => {
        const next = startWorker(count);
        try {
          await next.start();
        } catch (error) {
          await next.close({ graceMs: 0 }).catch(() => {});
          throw error;
        }
        // A signal came while it started: stop() is closing the current worker; this one goes too.
        if (stopping) return next.close({ graceMs: config.SHUTDOWN_GRACE_MS });
        const previous = worker;
        worker = next;
        logger.info(
          { queue: target.queue, partitions: count, workerId: next.id },
          "queue was partitioned: consuming every partition now",
        );
        // Its in-flight jobs finish, or go back to partition 0, which the new worker consumes too.
        retiring = previous.close({ graceMs: config.SHUTDOWN_GRACE_MS }).catch((error: unknown) => {
          logger.error({ err: errorMessage(error) }, "close of the replaced worker failed");
        });
      },
      (message) => logger.debug({ queue: target.queue, err: message }, "partition count check failed"),
    );
  }
  logger.info(
    {
      queue: target.queue,
      workerId: worker.id,
      concurrency: target.options.concurrency,
      partitions,
      maxAttempts: target.options.maxAttempts,
      ...target.describe,
    },
    "worker started",
  );
}

/** The outcomes an operator reads in the log, for whichever worker the process runs. */
function logOutcomes(worker: Worker | PartitionedWorker, queue: string, logger: Logger): void {
  // Seed 003's worker printed every job it received; addresses stay out (the logger masks them anyway).
  worker.on("active", (job: Job) =>
    logger.info({ jobId: job.id, type: job.type, attempts: job.attempts, batchId: job.batchId }, "job received"),
  );
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
    logger.error({ queue, reason }, "queue paused: fix the cause, then resume it"),
  );
}

/** A partition count that disagrees with Redis' is a configuration error: one line, exit 1. */
function partitionProblem(error: unknown): never {
  if (error instanceof PartitionCountError)
    throw new ConfigError(`invalid configuration: QUEUE_PARTITIONS ${error.message}`);
  throw error;
}

/**
 * EMAIL_ENABLED=false (or SMS_ENABLED=false): the process stays up, so a Procfile runner keeps the
 * others running, but claims nothing; the channel's jobs wait in its queue until it is switched on.
 */
function idleWhileSwitchedOff(channel: Channel, variable: string, logger: ReturnType<typeof createLogger>): void {
  logger.warn(
    { channel, [variable]: false },
    `${variable}=false: this worker claims nothing; ${channel} jobs wait in their queue until ${variable} is true`,
  );
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = () => {
    clearInterval(keepAlive);
    logger.info({}, "stopped");
    exitAfterFlush(logger, 0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
