// This engine's side of the benchmark, through its public API only, with the same jobs, chunks and
// concurrency as bullmq.ts and default settings (leases, dedupe, stats all on).
//   bun packages/queue/bench/ours.ts enqueue|fill|process|latency   (REDIS_URL set by scripts/bench.mjs)
import { createRedis, createWorker, Queue } from "../src/index.ts";
import { benchArgs, benchSizes, chunks, deferredCount, latencyProbe, makeJobs, now, round, runSide } from "./shared.ts";

const { phase, redisUrl, queue: name } = benchArgs();
const sizes = benchSizes();

async function enqueue(count: number): Promise<number> {
  const redis = createRedis(redisUrl);
  const queue = new Queue(name, { connection: redis });
  await redis.ping();
  const batches = chunks(makeJobs(count), sizes.chunk);
  const started = now();
  for (const batch of batches) await queue.pushBulk(batch);
  const elapsed = now() - started;
  redis.disconnect();
  return elapsed;
}

async function processAll(): Promise<Record<string, unknown>> {
  const total = sizes.processJobs;
  const done = deferredCount(total);
  const started = now();
  const redis = createRedis(redisUrl);
  const worker = createWorker(name, async () => {}, { connection: redis, concurrency: sizes.concurrency });
  worker.on("completed", () => done.tick());
  worker.on("error", (error: Error) => console.error(`worker error: ${error.message}`));
  const finished = await done.done;
  await worker.close();
  redis.disconnect();
  const seconds = (finished - started) / 1000;
  return { processed: done.count(), processSeconds: round(seconds, 3), processPerSec: Math.round(total / seconds) };
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

runSide(phase, { enqueue, processAll, latency });
