// Chaos run for the email worker: N jobs, several Bun worker processes against the provider
// stand-in, a random worker SIGKILLed and restarted about every half second, one graceful restart
// of an AOF-backed redis-server in the middle, then one worker frozen (SIGSTOP) past its lease and
// resumed, one episode of Redis at maxmemory, and one graceful stop (SIGTERM) of a worker whose
// provider call outlives the grace period and ignores its abort. Bounded in time, loopback only.
// Verdict: every accepted job reaches the stand-in (lost = 0); duplicates are counted beside the
// jobs the victims held at their faults, and those of them whose send had already started.
//
//   bun apps/workers/dev/chaos.ts [--json] [--jobs N] [--kills N] [--workers N]
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { Faults } from "./chaos-faults.ts";
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
  /** Jobs the victims held at their faults (running, awaiting their ack, or read ahead). */
  heldAtFaults: number;
  /** Of those, jobs whose send had reached the provider before the fault: what runs twice. */
  sentBeforeFault: number;
  kills: number;
  frozen: number;
  oomEpisodes: number;
  stubbornStops: number;
  redisRestarts: number;
  /** The longest time from a kill to the last re-run of the jobs the killed worker held. */
  recoverySeconds: number;
  deadLettered: number;
  seconds: number;
}

const SLOW_PREFIX = "slow-stop";
/** Longer than the workers' grace period plus the engine's abort wait. */
const SLOW_REPLY_MS = 9_000;

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
  const standIn = await new ProviderStandIn({
    sendgridApiKey: "SG.chaos",
    latencyMs: 2,
    slowPrefix: SLOW_PREFIX,
    slowReplyMs: SLOW_REPLY_MS,
  }).start();
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
  const queue = new Queue(EMAIL_QUEUE, { connection: redis });
  const faults = new Faults(queue, standIn);
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
      const before = await faults.snapshot(victim).catch(() => null);
      victim.child.kill("SIGKILL");
      await victim.exited;
      kills++;
      if (before) faults.watchRecovery(before);
      workers[index] = spawnWorker("email", env);
      if (kills === Math.ceil(options.kills / 2)) {
        log(`kill ${kills}: restarting redis-server (graceful, AOF)`);
        await server.restart();
        redisRestarts++;
      }
    }
    const ids = await pushing;
    log(`${kills} kills done; freezing a worker past its lease`);
    const frozen = await faults.freeze(workers[0]);
    log("filling Redis to maxmemory for 3 s");
    const oomEpisodes = await faults.fillRedis(server.url, 3_000);
    log("stopping a worker whose provider call ignores its abort");
    const stubborn = await faults.stubbornStop(workers, () => spawnWorker("email", env));
    ids.push(...stubborn.ids);
    log(`waiting for ${ids.length} jobs`);
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
    await faults.settled();
    const deadLettered = (await queue.stats()).dead;
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    return {
      accepted: ids.length,
      delivered,
      lost: ids.length - delivered,
      duplicates,
      heldAtFaults: faults.heldAtFaults,
      sentBeforeFault: faults.sentBeforeFault,
      kills,
      frozen,
      oomEpisodes,
      stubbornStops: stubborn.stops,
      redisRestarts,
      recoverySeconds: Math.round(faults.longestRecoveryMs / 100) / 10,
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
  const { accepted, delivered, lost, duplicates, heldAtFaults, sentBeforeFault, kills, frozen, oomEpisodes } = report;
  const { stubbornStops, redisRestarts, recoverySeconds } = report;
  if (json) {
    console.log(
      JSON.stringify({
        accepted,
        delivered,
        lost,
        duplicates,
        heldAtFaults,
        sentBeforeFault,
        kills,
        frozen,
        oomEpisodes,
        stubbornStops,
        redisRestarts,
        recoverySeconds,
      }),
    );
  }
  process.exit(lost === 0 ? 0 : 1);
}
