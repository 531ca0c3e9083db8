// This engine's side of the benchmark, through its public API only, with the same jobs, chunks and
// concurrency as bullmq.ts and default settings (leases, dedupe, stats all on).
//   bun packages/queue/bench/ours.ts enqueue|fill|process|latency   (REDIS_URL set by scripts/bench.mjs)
import { createRedis, createWorker, Queue } from "../src/index.ts";
import {
  benchArgs,
  benchSizes,
  chunks,
  deferredCount,
  makeJobs,
  now,
  percentile,
  round,
  runPhase,
  sleep,
} from "./shared.ts";

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
  let onStart: (at: number) => void = () => {};
  let onDone: () => void = () => {};
  const worker = createWorker(
    name,
    async () => {
      onStart(now());
    },
    { connection: workerConnection, concurrency: sizes.concurrency, autostart: false },
  );
  worker.on("completed", () => onDone());
  await Promise.all([worker.start(), producer.ping()]);
  const warmup = 20;
  const samples: number[] = [];
  const jobs = makeJobs(sizes.latencyJobs + warmup);
  for (const [i, job] of jobs.entries()) {
    // Let the worker go back to its blocking wait so every sample measures an idle queue.
    await sleep(10);
    const startedAt = new Promise<number>((r) => {
      onStart = r;
    });
    const completed = new Promise<void>((r) => {
      onDone = r;
    });
    const pushedAt = now();
    await queue.push(job);
    const latencyMs = (await startedAt) - pushedAt;
    await completed;
    if (i >= warmup) samples.push(latencyMs);
  }
  await worker.close();
  producer.disconnect();
  workerConnection.disconnect();
  samples.sort((a, b) => a - b);
  return {
    latencySamples: samples.length,
    p50Ms: round(percentile(samples, 50), 3),
    p99Ms: round(percentile(samples, 99), 3),
  };
}

runPhase(async () => {
  switch (phase) {
    case "enqueue": {
      const ms = await enqueue(sizes.enqueueJobs);
      return {
        enqueued: sizes.enqueueJobs,
        enqueueSeconds: round(ms / 1000, 3),
        enqueuePerSec: Math.round(sizes.enqueueJobs / (ms / 1000)),
      };
    }
    case "fill":
      await enqueue(sizes.processJobs);
      return { filled: sizes.processJobs };
    case "process":
      return processAll();
    case "latency":
      return latency();
  }
});
