// Cluster mode of the benchmark (`npm run bench -- --cluster`): one queue over 1 and then 3
// partitions on a three-master Redis Cluster on loopback. For each run it reports throughput and,
// per master, the Redis CPU (INFO cpu deltas) and bytes on the wire (INFO stats deltas) per job,
// which is what docs/scaling.md builds its sizing on.
//   bun packages/queue/bench/cluster.ts            (orchestrates; starts its own cluster)
//   bun packages/queue/bench/cluster.ts work       (one worker process; CLUSTER_NODES set by the above)
import { spawn } from "node:child_process";
import { type RedisClusterHandle, startRedisCluster } from "@notify/testing";
import { Cluster } from "ioredis";
import { createWorker, Queue } from "../src/index.ts";
import { chunks, makeJobs, now, round, runPhase, sleep, withTimeout } from "./shared.ts";

const NAME = process.env.BENCH_QUEUE ?? "bench";
const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const JOBS = positive("BENCH_CLUSTER_JOBS", 50_000);
const WORKERS = positive("BENCH_CLUSTER_WORKERS", 2);
const CONCURRENCY = positive("BENCH_CONCURRENCY", 50);
const PARTITION_COUNTS = (process.env.BENCH_CLUSTER_PARTITIONS ?? "1,3").split(",").map(Number);

function connect(nodes: { host: string; port: number }[]): Cluster {
  const client = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
  client.on("error", (error: Error) => console.error(`cluster client: ${error.message}`));
  return client;
}

function nodesFromEnv(): { host: string; port: number }[] {
  return (process.env.CLUSTER_NODES ?? "").split(",").map((entry) => {
    const [host = "127.0.0.1", port = "0"] = entry.split(":");
    return { host, port: Number(port) };
  });
}

/** A worker process: consumes every partition until SIGTERM, then closes gracefully. */
async function work(): Promise<Record<string, unknown>> {
  const redis = connect(nodesFromEnv());
  const partitions = positive("BENCH_PARTITIONS", 1);
  const worker = createWorker(NAME, async () => {}, { connection: redis, concurrency: CONCURRENCY, partitions });
  await worker.start();
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  await worker.close();
  redis.disconnect();
  return { closed: true };
}

interface MasterSample {
  port: number;
  cpu: number;
  netIn: number;
  netOut: number;
}

async function sampleMasters(redis: Cluster): Promise<MasterSample[]> {
  return Promise.all(
    redis.nodes("master").map(async (node) => {
      const text = `${await node.info("cpu")}\n${await node.info("stats")}`;
      const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
      return {
        port: Number(node.options.port),
        cpu: field("used_cpu_user") + field("used_cpu_sys"),
        netIn: field("total_net_input_bytes"),
        netOut: field("total_net_output_bytes"),
      };
    }),
  );
}

function perJob(before: MasterSample[], after: MasterSample[], jobs: number) {
  return after.map((end) => {
    const start = before.find((s) => s.port === end.port) ?? end;
    return {
      port: end.port,
      redisCpuUsPerJob: round(((end.cpu - start.cpu) * 1e6) / jobs, 2),
      bytesInPerJob: Math.round((end.netIn - start.netIn) / jobs),
      bytesOutPerJob: Math.round((end.netOut - start.netOut) / jobs),
    };
  });
}

async function startWorkers(cluster: RedisClusterHandle, partitions: number) {
  const script = process.argv[1] ?? "";
  const env = {
    ...process.env,
    CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(","),
    BENCH_PARTITIONS: String(partitions),
  };
  const children = Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, [script, "work"], { env, stdio: ["ignore", "pipe", "inherit"] }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once("exit", (code) => reject(new Error(`a worker process exited early (${code})`)));
          child.stdout.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("ready")) resolve();
          });
        }),
    ),
  );
  return async () => {
    await Promise.all(
      children.map((child) => {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        return exited;
      }),
    );
  };
}

async function measure(cluster: RedisClusterHandle, redis: Cluster, partitions: number) {
  await Promise.all(redis.nodes("master").map((node) => node.flushall()));
  const queue = new Queue(NAME, { connection: redis, partitions });
  const beforeEnqueue = await sampleMasters(redis);
  const enqueueStarted = now();
  for (const batch of chunks(makeJobs(JOBS), 1_000)) await queue.pushBulk(batch, { track: false });
  const enqueueSeconds = (now() - enqueueStarted) / 1000;
  const afterEnqueue = await sampleMasters(redis);
  const stop = await startWorkers(cluster, partitions);
  const started = now();
  // One HGET per partition every 50 ms: a full stats() call would add its own Redis CPU to the figure.
  const processed = async () => {
    const counts = await Promise.all(queue.partitions.map((part) => redis.hget(part.keys.stats, "processed")));
    return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
  };
  const done = async () => {
    while ((await processed()) < JOBS) await sleep(50);
  };
  await withTimeout(done(), 300_000, `${partitions} partition(s): not every job was processed`);
  const seconds = (now() - started) / 1000;
  const afterProcess = await sampleMasters(redis);
  await stop();
  const processMasters = perJob(afterEnqueue, afterProcess, JOBS);
  return {
    partitions,
    workerProcesses: WORKERS,
    jobs: JOBS,
    enqueuePerSec: Math.round(JOBS / enqueueSeconds),
    processPerSec: Math.round(JOBS / seconds),
    enqueueMasters: perJob(beforeEnqueue, afterEnqueue, JOBS),
    // Per job of the whole queue, so the masters' figures add up to the cluster's cost of one job.
    processMasters,
    redisCpuUsPerJob: round(
      processMasters.reduce((sum, m) => sum + m.redisCpuUsPerJob, 0),
      2,
    ),
  };
}

async function orchestrate(): Promise<Record<string, unknown>> {
  const cluster = await startRedisCluster(3);
  const redis = connect(cluster.nodes);
  try {
    const runs = [];
    for (const partitions of PARTITION_COUNTS) {
      const result = await measure(cluster, redis, partitions);
      const cpu = result.processMasters.map((m) => m.redisCpuUsPerJob).join(" / ");
      console.error(
        `  ${partitions} partition(s), ${WORKERS} worker process(es): enqueue ${result.enqueuePerSec} jobs/s, process ${result.processPerSec} jobs/s; Redis CPU per job on each master ${cpu} µs`,
      );
      runs.push(result);
    }
    return { cluster: { masters: 3, runs } };
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}

runPhase(process.argv[2] === "work" ? work : orchestrate);
