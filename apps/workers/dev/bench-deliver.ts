// Delivery throughput of one email worker process: the stand-in answers SendGrid requests in
// 50 ms (seed 004's per-email time), the worker runs at concurrency 50. Prints {"deliverPerSec":N}.
//
//   bun apps/workers/dev/bench-deliver.ts [--jobs N] [--concurrency N] [--latency-ms N]
import { readFileSync } from "node:fs";
import { createRedis, Queue } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { ProviderStandIn, startRedisServer, waitFor } from "@notify/testing";
import { redisUsagePerJob, sampleRedis } from "./redis-usage.ts";
import { spawnWorker, waitStarted } from "./worker-process.ts";

export interface DeliverBenchOptions {
  jobs: number;
  concurrency: number;
  latencyMs: number;
  bunArgs?: string[];
}

/** user + sys CPU seconds of a process from /proc (Linux; clock ticks of 1/100 s), null elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** `--name N` from the command line, else `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export async function benchDeliver(options: DeliverBenchOptions): Promise<{
  deliverPerSec: number;
  jobs: number;
  seconds: number;
  /** The worker process's CPU per delivered email (what sizing a fleet needs), null off Linux. */
  workerCpuUsPerJob: number | null;
  redisCpuUsPerJob: number;
  /** Calls per delivered email of each Redis command. */
  commands: Record<string, number>;
}> {
  const server = await startRedisServer();
  const standIn = await new ProviderStandIn({ latencyMs: options.latencyMs, keepBodies: false }).start();
  const redis = createRedis(server.url);
  const worker = spawnWorker(
    "email",
    {
      REDIS_URL: server.url,
      SENDGRID_API_KEY: "SG.bench",
      SENDGRID_BASE_URL: standIn.url,
      EMAIL_CONCURRENCY: String(options.concurrency),
    },
    options.bunArgs,
    { keepLogs: false },
  );
  try {
    await waitStarted(worker, 60_000);
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    const inputs = Array.from({ length: options.jobs }, (_, i) => ({
      type: "welcome",
      to: `bench${i}@example.com`,
      data: { user_name: `User ${i}` },
    }));
    // Warm-up: connections, JIT, the first claim.
    const warm = Math.min(200, Math.floor(options.jobs / 10));
    await queue.pushBulk(inputs.slice(0, warm));
    await waitFor(() => standIn.stats().accepted >= warm, { timeoutMs: 60_000, message: "warm-up" });
    const started = performance.now();
    const cpuBefore = cpuSecondsOf(worker.child.pid);
    const redisBefore = await sampleRedis(redis);
    await queue.pushBulk(inputs.slice(warm));
    await waitFor(() => standIn.stats().accepted >= options.jobs, {
      timeoutMs: 300_000,
      intervalMs: 5,
      message: "all delivered",
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSecondsOf(worker.child.pid);
    const redisAfter = await sampleRedis(redis);
    const measured = options.jobs - warm;
    const cpu = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / measured);
    return {
      deliverPerSec: Math.round(measured / seconds),
      jobs: measured,
      seconds: Math.round(seconds * 100) / 100,
      workerCpuUsPerJob: cpu,
      ...redisUsagePerJob(redisBefore, redisAfter, measured),
    };
  } finally {
    worker.child.kill("SIGTERM");
    await worker.exited;
    redis.disconnect();
    await standIn.stop();
    await server.stop();
  }
}

if ((import.meta as { main?: boolean }).main) {
  const result = await benchDeliver({
    jobs: numberArg("--jobs", 10_000),
    concurrency: numberArg("--concurrency", 50),
    latencyMs: numberArg("--latency-ms", 50),
  });
  process.stderr.write(
    `delivered ${result.jobs} emails in ${result.seconds} s, ${result.workerCpuUsPerJob ?? "?"} µs of worker CPU and ${result.redisCpuUsPerJob} µs of Redis CPU each\n`,
  );
  if (process.argv.includes("--commands"))
    process.stderr.write(`Redis calls per email: ${JSON.stringify(result.commands)}\n`);
  console.log(
    JSON.stringify({ deliverPerSec: result.deliverPerSec, deliverWorkerCpuUsPerJob: result.workerCpuUsPerJob }),
  );
}
