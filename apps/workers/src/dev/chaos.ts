// Chaos run for the email worker: N jobs, several Bun worker processes against the provider
// stand-in, a random worker SIGKILLed and restarted about every half second, and one graceful
// restart of an AOF-backed redis-server in the middle. Bounded in time, loopback only.
// Verdict: every accepted job reaches the stand-in (lost = 0); duplicates are counted.
//
//   bun apps/workers/src/dev/chaos.ts [--json] [--jobs N] [--kills N] [--workers N]
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { ProviderStandIn } from "./provider-stand-in.ts";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./worker-process.ts";

export interface ChaosOptions {
  jobs: number;
  kills: number;
  workers: number;
  killEveryMs: number;
  deadlineMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  accepted: number;
  delivered: number;
  lost: number;
  duplicates: number;
  kills: number;
  redisRestarts: number;
  deadLettered: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pushAll(redis: RedisConnection, jobs: number, chunk: number): Promise<string[]> {
  const queue = new Queue(EMAIL_QUEUE, { connection: redis });
  const ids: string[] = [];
  for (let start = 0; start < jobs; start += chunk) {
    const inputs = Array.from({ length: Math.min(chunk, jobs - start) }, (_, i) => ({
      type: "welcome",
      to: `chaos${start + i}@example.com`,
      data: { user_name: `Chaos ${start + i}` },
    }));
    // A push that fails (Redis restarting) was not accepted; try the chunk again.
    for (;;) {
      try {
        ids.push(...(await queue.pushBulk(inputs)).ids);
        break;
      } catch {
        await sleep(100);
      }
    }
  }
  return ids;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const server: RedisServerHandle = await startRedisServer({ appendOnly: true });
  const standIn = await new ProviderStandIn({ sendgridApiKey: "SG.chaos", latencyMs: 2 }).start();
  const redis = createRedis(server.url);
  redis.on("error", () => {});
  const env = {
    REDIS_URL: server.url,
    SENDGRID_API_KEY: "SG.chaos",
    SENDGRID_BASE_URL: standIn.url,
    EMAIL_CONCURRENCY: "20",
    // Every kill that catches a job counts an attempt; room for bad luck without hiding real loss.
    MAX_ATTEMPTS: "20",
    LOG_LEVEL: "info",
    SHUTDOWN_GRACE_MS: "5000",
  };
  const workers: WorkerProcess[] = [];
  let kills = 0;
  let redisRestarts = 0;
  try {
    for (let i = 0; i < options.workers; i++) workers.push(spawnWorker("email", env));
    await Promise.all(workers.map((w) => waitStarted(w, 60_000)));
    log(`${options.workers} workers up; pushing ${options.jobs} jobs`);
    const pushing = pushAll(redis, options.jobs, 1_000);

    const deadline = started + options.deadlineMs;
    while (kills < options.kills && Date.now() < deadline) {
      await sleep(options.killEveryMs * (0.5 + Math.random()));
      const index = Math.floor(Math.random() * workers.length);
      const victim = workers[index];
      if (!victim) continue;
      victim.child.kill("SIGKILL");
      await victim.exited;
      kills++;
      workers[index] = spawnWorker("email", env);
      if (kills === Math.ceil(options.kills / 2)) {
        log(`kill ${kills}: restarting redis-server (graceful, AOF)`);
        await server.restart();
        redisRestarts++;
      }
    }
    const ids = await pushing;
    log(`${kills} kills done; waiting for ${ids.length} jobs`);
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    let lastProgress = Date.now();
    await waitFor(
      async () => {
        const stats = await queue.stats();
        if (Date.now() - lastProgress > 2_000) {
          lastProgress = Date.now();
          const delivered = ids.filter((id) => standIn.deliveriesOf(id) > 0).length;
          log(
            `delivered ${delivered}; pending ${stats.pending}, active ${stats.active}, delayed ${stats.delayed}, workers ${stats.workers}`,
          );
        }
        return stats.pending + stats.active + stats.delayed === 0 && ids.every((id) => standIn.deliveriesOf(id) > 0);
      },
      { timeoutMs: Math.max(1_000, deadline - Date.now()), intervalMs: 250, message: "every job finished" },
    ).catch((error: unknown) => log(String(error)));

    const delivered = ids.filter((id) => standIn.deliveriesOf(id) > 0).length;
    const duplicates = ids.reduce((sum, id) => sum + Math.max(0, standIn.deliveriesOf(id) - 1), 0);
    const deadLettered = (await queue.stats()).dead;
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    return {
      accepted: ids.length,
      delivered,
      lost: ids.length - delivered,
      duplicates,
      kills,
      redisRestarts,
      deadLettered,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    killAll(workers);
    redis.disconnect();
    await standIn.stop();
    await server.stop();
  }
}

function option(argv: string[], name: string, fallback: number): number {
  const index = argv.indexOf(name);
  const value = index >= 0 ? Number(argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a whole number`);
  return value;
}

if ((import.meta as { main?: boolean }).main) {
  const argv = process.argv.slice(2);
  const json = argv.includes("--json");
  const report = await runChaos({
    jobs: option(argv, "--jobs", 20_000),
    kills: option(argv, "--kills", 10),
    workers: option(argv, "--workers", 3),
    killEveryMs: 500,
    deadlineMs: option(argv, "--deadline-s", 300) * 1000,
    log: (line) => process.stderr.write(`chaos: ${new Date().toISOString().slice(11, 23)} ${line}\n`),
  });
  console.table([report]);
  const { accepted, delivered, lost, duplicates, kills, redisRestarts } = report;
  if (json) console.log(JSON.stringify({ accepted, delivered, lost, duplicates, kills, redisRestarts }));
  process.exit(lost === 0 ? 0 : 1);
}
