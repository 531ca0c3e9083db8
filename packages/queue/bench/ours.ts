// This engine's side of the benchmark, through its public API only, with the same jobs, chunks and
// concurrency as bullmq.ts and default settings (leases, dedupe, stats all on).
//   bun packages/queue/bench/ours.ts enqueue|fill|process|latency|recovery|dedupe   (REDIS_URL set by scripts/bench.mjs)
import { createRedis, createWorker, type Handler, Queue } from "../src/index.ts";
import {
  benchArgs,
  benchSizes,
  chunks,
  deferredCount,
  latencyProbe,
  makeJobs,
  measureRecovery,
  now,
  processResult,
  runSide,
  runVictim,
} from "./shared.ts";

const { phase, redisUrl, queue: name } = benchArgs();
const sizes = benchSizes();
const lease = sizes.leaseMs === null ? {} : { leaseMs: sizes.leaseMs };

// BENCH_TRACK=false: pushBulk without its batch record, to weigh what batch progress costs.
const bulkOptions = { track: process.env.BENCH_TRACK !== "false" };

async function enqueue(count: number, warmup: number): Promise<number> {
  const redis = createRedis(redisUrl);
  const queue = new Queue(name, { connection: redis });
  await redis.ping();
  for (const batch of chunks(makeJobs(warmup), sizes.chunk)) await queue.pushBulk(batch, bulkOptions);
  const batches = chunks(makeJobs(count), sizes.chunk);
  const started = now();
  for (const batch of batches) await queue.pushBulk(batch, bulkOptions);
  const elapsed = now() - started;
  redis.disconnect();
  return elapsed;
}

/** Runs `total` queued jobs through one worker process; resolves with the counter once all completed. */
async function runAll(total: number, concurrency: number, warmup = 0) {
  const done = deferredCount(total, 30_000, warmup);
  const createdAt = now();
  const redis = createRedis(redisUrl);
  const worker = createWorker(name, async () => {}, { connection: redis, concurrency });
  worker.on("completed", () => done.tick());
  worker.on("error", (error: Error) => console.error(`worker error: ${error.message}`));
  const finished = await done.done;
  await worker.close();
  redis.disconnect();
  return { done, createdAt, finished };
}

async function processAll(): Promise<Record<string, unknown>> {
  const { done, createdAt, finished } = await runAll(
    sizes.processJobs + sizes.warmupJobs,
    sizes.concurrency,
    sizes.warmupJobs,
  );
  return processResult(done, createdAt, finished, sizes.processJobs);
}

async function latency(): Promise<Record<string, unknown>> {
  const producer = createRedis(redisUrl);
  const workerConnection = createRedis(redisUrl);
  const queue = new Queue(name, { connection: producer });
  const probe = latencyProbe();
  const worker = createWorker(name, async () => probe.started(), {
    connection: workerConnection,
    concurrency: sizes.concurrency,
    autostart: false,
  });
  worker.on("completed", () => probe.completed());
  await Promise.all([worker.start(), producer.ping()]);
  const result = await probe.measure((job) => queue.push(job), sizes.latencyJobs);
  await worker.close();
  producer.disconnect();
  workerConnection.disconnect();
  return result;
}

async function startWorker(handler: Handler, concurrency: number): Promise<() => Promise<void>> {
  const redis = createRedis(redisUrl);
  const worker = createWorker(name, handler, { connection: redis, concurrency, autostart: false, ...lease });
  worker.on("error", (error: Error) => console.error(`worker error: ${error.message}`));
  await worker.start();
  return async () => {
    await worker.close({ graceMs: 0 });
    redis.disconnect();
  };
}

async function recovery(): Promise<Record<string, unknown>> {
  const result = await measureRecovery(
    {
      fill: async (count) => void (await enqueue(count, 0)),
      rescuer: (onStart) => startWorker(async (job) => onStart(job.id), sizes.concurrency),
    },
    sizes.recoveryJobs,
  );
  return { ...result, recoveryLeaseMs: sizes.leaseMs ?? 6_000 };
}

function victim(): Promise<void> {
  return runVictim(async (onStart) => {
    await startWorker(async (job) => {
      onStart(job.id);
      await new Promise(() => {});
    }, sizes.recoveryJobs);
  });
}

/** The de-duplication window (ten minutes by default) keeps every delivered id; bench.mjs weighs it. */
async function dedupe(): Promise<Record<string, unknown>> {
  await enqueue(sizes.dedupeJobs, 0);
  await runAll(sizes.dedupeJobs, sizes.concurrency);
  return { delivered: sizes.dedupeJobs };
}

runSide(phase, { enqueue, processAll, latency, recovery, victim, dedupe });
