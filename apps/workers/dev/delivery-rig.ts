// What both delivery benchmarks stand on: a throw-away redis-server, the provider stand-in
// answering in `latencyMs`, and one real email worker process at `concurrency`; `measure` runs a
// timed phase and reads the worker's and Redis's CPU around it (the cores are shared, so CPU per
// email says more than the rate alone).
import { readFileSync } from "node:fs";
import { createRedis, type RedisConnection, redisUsage } from "@notify/queue";
import { ProviderStandIn, startRedisServer } from "@notify/testing";
import { redisUsagePerJob } from "./redis-usage.ts";
import { spawnWorker, waitStarted } from "./worker-process.ts";

export interface RigOptions {
  concurrency: number;
  latencyMs: number;
  /** Before the worker's script, e.g. ["--cpu-prof-md"] to profile it. */
  bunArgs?: string[];
}

export interface PhaseCost {
  seconds: number;
  /** The worker process's CPU per email (what sizing a fleet needs), null off Linux. */
  workerCpuUsPerJob: number | null;
  redisCpuUsPerJob: number;
  /** Calls per email of each Redis command. */
  commands: Record<string, number>;
}

export interface DeliveryRig {
  redis: RedisConnection;
  standIn: ProviderStandIn;
  /** Times `run` and charges the CPU it took to `emails`. */
  measure(emails: number, run: () => Promise<void>): Promise<PhaseCost>;
  stop(): Promise<void>;
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

export async function startDeliveryRig(options: RigOptions): Promise<DeliveryRig> {
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
  const stop = async () => {
    worker.child.kill("SIGTERM");
    await worker.exited;
    redis.disconnect();
    await standIn.stop();
    await server.stop();
  };
  try {
    await waitStarted(worker, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    redis,
    standIn,
    stop,
    async measure(emails, run) {
      const started = performance.now();
      const cpuBefore = cpuSecondsOf(worker.child.pid);
      const redisBefore = await redisUsage(redis);
      await run();
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = cpuSecondsOf(worker.child.pid);
      const redisAfter = await redisUsage(redis);
      const workerCpuUsPerJob =
        cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / emails);
      return {
        seconds: Math.round(seconds * 100) / 100,
        workerCpuUsPerJob,
        ...redisUsagePerJob(redisBefore, redisAfter, emails),
      };
    },
  };
}
