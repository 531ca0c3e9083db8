// BullMQ's side of the benchmark, with the settings its docs recommend for throughput: jobs added with
// removeOnComplete, addBulk in chunks, a worker on its own connection with maxRetriesPerRequest null.
//   bun packages/queue/bench/bullmq.ts enqueue|fill|process|latency   (REDIS_URL set by scripts/bench.mjs)
import { Queue, Worker } from "bullmq";
import IORedis from "ioredis";
import { benchArgs, benchSizes, chunks, deferredCount, latencyProbe, makeJobs, now, round, runSide } from "./shared.ts";

const { phase, redisUrl, queue: name } = benchArgs();
const sizes = benchSizes();
const JOB_OPTS = { removeOnComplete: true, removeOnFail: 1000 };

function connection(): IORedis {
  return new IORedis(redisUrl, { maxRetriesPerRequest: null });
}

function bulkOf(jobs: ReturnType<typeof makeJobs>) {
  return jobs.map((job) => ({ name: job.type, data: { to: job.to, data: job.data }, opts: JOB_OPTS }));
}

async function enqueue(count: number): Promise<number> {
  const producer = connection();
  const queue = new Queue(name, { connection: producer });
  await queue.waitUntilReady();
  const batches = chunks(makeJobs(count), sizes.chunk).map(bulkOf);
  const started = now();
  for (const batch of batches) await queue.addBulk(batch);
  const elapsed = now() - started;
  await queue.close();
  producer.disconnect();
  return elapsed;
}

async function processAll(): Promise<Record<string, unknown>> {
  const total = sizes.processJobs;
  const done = deferredCount(total);
  const started = now();
  const worker = new Worker(name, async () => {}, { connection: connection(), concurrency: sizes.concurrency });
  worker.on("completed", () => done.tick());
  worker.on("error", (error) => console.error(`bullmq worker error: ${error.message}`));
  const finished = await done.done;
  await worker.close();
  const seconds = (finished - started) / 1000;
  return { processed: done.count(), processSeconds: round(seconds, 3), processPerSec: Math.round(total / seconds) };
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

runSide(phase, { enqueue, processAll, latency });
