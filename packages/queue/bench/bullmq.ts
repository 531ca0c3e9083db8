// BullMQ's side of the benchmark, with the settings its docs recommend for throughput: jobs added with
// removeOnComplete, addBulk in chunks, a worker on its own connection with maxRetriesPerRequest null.
//   bun packages/queue/bench/bullmq.ts enqueue|fill|process|latency|recovery|dedupe   (REDIS_URL set by scripts/bench.mjs)
import { type Job, type JobsOptions, Queue, Worker } from "bullmq";
import IORedis from "ioredis";
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
const JOB_OPTS: JobsOptions = { removeOnComplete: true, removeOnFail: 1000 };
/** BullMQ de-duplicates a job id only while its job hash exists: keep completed jobs as long as ours keeps ids. */
const KEEP_COMPLETED_OPTS: JobsOptions = { removeOnComplete: { age: 600 }, removeOnFail: 1000 };
/** The stalled-job check: a lock outlives its worker by lockDuration, the check runs every stalledInterval. */
const lockOptions = sizes.leaseMs === null ? {} : { lockDuration: sizes.leaseMs, stalledInterval: sizes.leaseMs };

function connection(): IORedis {
  return new IORedis(redisUrl, { maxRetriesPerRequest: null });
}

function bulkOf(jobs: ReturnType<typeof makeJobs>, opts: JobsOptions) {
  return jobs.map((job) => ({ name: job.type, data: { to: job.to, data: job.data }, opts }));
}

async function enqueueWith(count: number, warmup: number, opts: JobsOptions): Promise<number> {
  const producer = connection();
  const queue = new Queue(name, { connection: producer });
  await queue.waitUntilReady();
  for (const batch of chunks(makeJobs(warmup), sizes.chunk)) await queue.addBulk(bulkOf(batch, opts));
  const batches = chunks(makeJobs(count), sizes.chunk).map((batch) => bulkOf(batch, opts));
  const started = now();
  for (const batch of batches) await queue.addBulk(batch);
  const elapsed = now() - started;
  await queue.close();
  producer.disconnect();
  return elapsed;
}

const enqueue = (count: number, warmup: number) => enqueueWith(count, warmup, JOB_OPTS);

async function runAll(total: number, concurrency: number, warmup = 0) {
  const done = deferredCount(total, 30_000, warmup);
  const createdAt = now();
  const worker = new Worker(name, async () => {}, { connection: connection(), concurrency });
  worker.on("completed", () => done.tick());
  worker.on("error", (error) => console.error(`bullmq worker error: ${error.message}`));
  const finished = await done.done;
  await worker.close();
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
  const producerConnection = connection();
  const queue = new Queue(name, { connection: producerConnection });
  const probe = latencyProbe();
  const worker = new Worker(name, async () => probe.started(), {
    connection: connection(),
    concurrency: sizes.concurrency,
  });
  worker.on("completed", () => probe.completed());
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const result = await probe.measure(
    (job) => queue.add(job.type, { to: job.to, data: job.data }, JOB_OPTS),
    sizes.latencyJobs,
  );
  await worker.close();
  await queue.close();
  producerConnection.disconnect();
  return result;
}

async function startWorker(handler: (job: Job) => Promise<void>, concurrency: number): Promise<() => Promise<void>> {
  const worker = new Worker(name, handler, { connection: connection(), concurrency, ...lockOptions });
  worker.on("error", (error) => console.error(`bullmq worker error: ${error.message}`));
  await worker.waitUntilReady();
  return () => worker.close(true);
}

async function recovery(): Promise<Record<string, unknown>> {
  const result = await measureRecovery(
    {
      fill: async (count) => void (await enqueue(count, 0)),
      rescuer: (onStart) => startWorker(async (job) => onStart(String(job.id)), sizes.concurrency),
    },
    sizes.recoveryJobs,
  );
  return { ...result, recoveryLeaseMs: sizes.leaseMs ?? 30_000 };
}

function victim(): Promise<void> {
  return runVictim(async (onStart) => {
    await startWorker(async (job) => {
      onStart(String(job.id));
      await new Promise(() => {});
    }, sizes.recoveryJobs);
  });
}

async function dedupe(): Promise<Record<string, unknown>> {
  await enqueueWith(sizes.dedupeJobs, 0, KEEP_COMPLETED_OPTS);
  await runAll(sizes.dedupeJobs, sizes.concurrency);
  return { delivered: sizes.dedupeJobs };
}

runSide(phase, { enqueue, processAll, latency, recovery, victim, dedupe });
