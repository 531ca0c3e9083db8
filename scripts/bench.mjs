// Side-by-side benchmark of this engine and BullMQ on one fresh throw-away redis-server, in one run.
// Each measurement runs in a process of its own (packages/queue/bench/{ours,bullmq}.ts) so neither side's
// heap or JIT state colours the other; phases alternate sides and Redis is flushed before each.
//
//   npm run bench                 # under Bun (node_modules/.bin/bun)
//   npm run bench -- --node       # the measurement processes run under Node instead
//   npm run bench -- --json       # ... and a last line {"ours":{...},"bullmq":{...},"ratios":{...}}
//   npm run bench -- --cluster    # instead: 1 and 3 partitions on a 3-master loopback cluster (bench/cluster.ts)
//   npm run bench -- --only process  # one scenario (process, enqueue or latency), both sides, with its ratio
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureRedisBinaries } from "@notify/testing/redis-binary";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH_DIR = "packages/queue/bench";
const SIDES = ["bullmq", "ours"];
const LATENCY_ROUNDS = 3;
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_MS ?? 300_000);
// bullmq-bench's suite (bullmq-suite.ts), the scenarios ChasquiMQ and bunqueue publish against:
// queue-add-bulk (bulks of 50) and worker-concurrent (concurrency 100), 1x1 tiny payload, 1,000 warm-up jobs.
const SUITE_JOBS = process.env.BENCH_SUITE_JOBS ?? "10000";
const SUITE_WARMUP = process.env.BENCH_SUITE_WARMUP ?? "1000";
const SUITE_ADD_BULK = { BENCH_PAYLOAD: "tiny", BENCH_CHUNK: "50", BENCH_ENQUEUE_JOBS: SUITE_JOBS };
const SUITE_CONCURRENT = { BENCH_PAYLOAD: "tiny", BENCH_CONCURRENCY: "100", BENCH_PROCESS_JOBS: SUITE_JOBS };

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    node: { type: "boolean", default: false },
    cluster: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
// Issue 16's goals, which differ by runtime for throughput.
const TARGETS = {
  process: [">=", flags.node ? 8 : 10],
  enqueue: [">=", flags.node ? 6 : 10],
  memory: ["<=", 0.3],
  p99: ["<=", 0.6],
};
const log = (line) => process.stderr.write(`${line}\n`);

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function startRedis(binaries) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "notify-bench-redis-"));
  const child = spawn(
    binaries.server,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const redisCli = (...args) =>
    spawnSync(binaries.cli, ["-p", String(port), ...args], { encoding: "utf8", timeout: 30_000 }).stdout.trim();
  const deadline = Date.now() + 10_000;
  while (redisCli("PING") !== "PONG") {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`bench redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    cli: redisCli,
    usedMemory: () => Number(/used_memory:(\d+)/.exec(redisCli("INFO", "memory"))?.[1] ?? Number.NaN),
    /** Seconds of CPU redis-server has used, main thread and background alike. */
    cpuSeconds: () => {
      const info = redisCli("INFO", "cpu");
      const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
      return field("used_cpu_user") + field("used_cpu_sys");
    },
    version: () => /redis_version:(\S+)/.exec(redisCli("INFO", "server"))?.[1] ?? "?",
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nodeBuilt = false;

/** Under Node 20 the TypeScript sides are compiled once a run (no type check), keeping the tree's layout. */
function nodeEntry(side) {
  const out = join(ROOT, ".cache", "bench-node");
  if (!nodeBuilt) {
    rmSync(out, { recursive: true, force: true });
    const tsc = join(ROOT, "node_modules", ".bin", "tsc");
    const args = ["--outDir", out, "--rootDir", ROOT, "--module", "esnext", "--target", "es2022"];
    args.push("--moduleResolution", "bundler", "--rewriteRelativeImportExtensions", "--skipLibCheck", "--noCheck");
    args.push("--types", "node", ...SIDES.map((s) => join(ROOT, BENCH_DIR, `${s}.ts`)));
    const built = spawnSync(tsc, args, { stdio: "inherit" });
    if (built.status !== 0) throw new Error("compiling the bench for Node failed");
    // The engine reads its Lua scripts next to its modules.
    const lua = join(ROOT, "packages/queue/src/lua");
    if (existsSync(lua)) cpSync(lua, join(out, "packages/queue/src/lua"), { recursive: true });
    nodeBuilt = true;
  }
  return { command: process.execPath, args: [join(out, BENCH_DIR, `${side}.js`)] };
}

function entry(side) {
  if (flags.node) return nodeEntry(side);
  return { command: join(ROOT, "node_modules", ".bin", "bun"), args: [join(ROOT, BENCH_DIR, `${side}.ts`)] };
}

function lastJsonLine(text) {
  const lines = text.trim().split("\n").reverse();
  for (const line of lines) {
    if (line.startsWith("{")) return JSON.parse(line);
  }
  throw new Error(`no JSON result in output:\n${text.slice(-2000)}`);
}

async function run(command, args, env, label) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    // A side that hangs (a lost job, a stuck worker) fails the run with its name instead of blocking it.
    const timer = setTimeout(() => {
      stderr += `\n${label} killed after ${PHASE_TIMEOUT_MS} ms`;
      child.kill("SIGKILL");
    }, PHASE_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${label} exited with ${code}:\n${stderr.slice(-4000)}`));
      try {
        resolveRun(lastJsonLine(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function phase(redis, side, name, env = {}) {
  const { command, args } = entry(side);
  return run(command, [...args, name], { REDIS_URL: redis.url, ...env }, `${side} ${name}`);
}

/** Enqueues BENCH_ENQUEUE_JOBS jobs into an empty Redis and measures used_memory once the side's process is gone. */
async function enqueueAndWeigh(redis, side, payload, env = {}) {
  redis.cli("FLUSHALL");
  const before = redis.usedMemory();
  const enqueued = await phase(redis, side, "enqueue", { BENCH_PAYLOAD: payload, ...env });
  // Measured after the side's process has exited: no client buffers, only the waiting jobs.
  return { ...enqueued, bytesPerJob: Math.round((redis.usedMemory() - before) / enqueued.enqueued) };
}

function latencySummary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const r = (ms) => Math.round(ms * 1000) / 1000;
  return { latencySamples: sorted.length, p50Ms: r(at(50)), p90Ms: r(at(90)), p99Ms: r(at(99)), maxMs: r(at(100)) };
}

const round2 = (value) => Math.round(value * 100) / 100;
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? round2(a / b) : null);
const passes = (value, [op, target]) => value !== null && (op === ">=" ? value >= target : value <= target);

function table(results, ratios) {
  const rows = [
    ["enqueue (addBulk vs pushBulk), jobs/s", "enqueuePerSec", "enqueue"],
    ["processing, 1 process x 50, jobs/s", "processPerSec", "process"],
    ["  worker CPU per job, µs", "workerCpuUsPerJob", "workerCpu"],
    ["  Redis CPU per job, µs", "redisCpuUsPerJob", "redisCpu"],
    ["idle enqueue-to-start p50, ms", "p50Ms", null],
    ["idle enqueue-to-start p90, ms", "p90Ms", null],
    ["idle enqueue-to-start p99, ms", "p99Ms", "p99"],
    ["Redis bytes per waiting job", "bytesPerJob", "memory"],
    ["  same, smallest seed-004 job (welcome)", "bytesPerSmallJob", "memorySmall"],
    ["  same, ours without batch progress (track: false)", "bytesPerUntrackedJob", "memoryUntracked"],
    ["bullmq-bench queue-add-bulk (50, tiny), jobs/s", "suiteAddBulkPerSec", "suiteAddBulk"],
    ["bullmq-bench worker-concurrent (100), jobs/s", "suiteConcurrentPerSec", "suiteConcurrent"],
    ["recovery after kill -9, s until all jobs rerun", "recoverySeconds", "recovery"],
    ["  same, s until the first job reruns", "recoveryFirstSeconds", null],
    ["Redis bytes kept per delivered id (dedupe)", "bytesPerDeliveredId", "dedupeBytes"],
  ];
  if (results.ours.deliverPerSec !== undefined)
    rows.push(["deliver (workers, stand-in provider), jobs/s", "deliverPerSec", null]);
  if (results.ours.deliverWorkerCpuUsPerJob !== undefined)
    rows.push(["  email worker CPU per delivered email, µs", "deliverWorkerCpuUsPerJob", null]);
  if (results.ours.deliverBatchPerSec !== undefined)
    rows.push(["deliver a campaign (SendGrid batches), emails/s", "deliverBatchPerSec", null]);
  if (results.ours.deliverBatchWorkerCpuUsPerJob !== undefined)
    rows.push(["  email worker CPU per campaign email, µs", "deliverBatchWorkerCpuUsPerJob", null]);
  const cells = rows.map(([label, key, ratioKey]) => {
    const target = ratioKey ? (TARGETS[ratioKey] ?? null) : null;
    const r = ratioKey ? ratios[ratioKey] : null;
    return [
      label,
      String(results.bullmq[key] ?? "-"),
      String(results.ours[key] ?? "-"),
      r === null ? "-" : String(r),
      target ? `${target[0]} ${target[1]} ${passes(r, target) ? "ok" : "MISS"}` : "",
    ];
  });
  const header = ["metric", "BullMQ", "ours", "ours/BullMQ", "target"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** Cluster mode: its own cluster, its own processes, always under Bun (it imports the TypeScript test kit). */
async function clusterMain() {
  ensureRedisBinaries({ log });
  const started = Date.now();
  const bun = join(ROOT, "node_modules", ".bin", "bun");
  const { cluster } = await run(bun, [join(ROOT, BENCH_DIR, "cluster.ts")], {}, "cluster bench");
  const rows = [
    [
      "partitions",
      "worker procs",
      "enqueue jobs/s",
      "process jobs/s",
      "Redis CPU µs/job (sum)",
      "per master (process)",
      "bytes in/out per job per master",
    ],
  ];
  for (const r of cluster.runs) {
    rows.push([
      String(r.partitions),
      String(r.workerProcesses),
      String(r.enqueuePerSec),
      String(r.processPerSec),
      String(r.redisCpuUsPerJob),
      r.processMasters.map((m) => m.redisCpuUsPerJob).join(" / "),
      r.processMasters.map((m) => `${m.bytesInPerJob}/${m.bytesOutPerJob}`).join(" "),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  console.log(`(${Math.round((Date.now() - started) / 1000)} s, bun, ${cluster.masters} masters on loopback)`);
  if (flags.json) console.log(JSON.stringify({ cluster }));
}

/**
 * The scenarios main() runs, each also runnable alone with its ratios (`--only`, for profiling);
 * each writes its figures into `results` and returns its ratios.
 */
const SCENARIOS = {
  async process(redis, results) {
    for (const side of SIDES) {
      redis.cli("FLUSHALL");
      await phase(redis, side, "fill");
      const cpuBefore = redis.cpuSeconds();
      const measured = await phase(redis, side, "process");
      const redisCpuUsPerJob = round2(((redis.cpuSeconds() - cpuBefore) * 1e6) / measured.jobsRun);
      Object.assign(results[side], measured, { redisCpuUsPerJob });
      log(
        `  ${side} process: ${measured.processPerSec} jobs/s; CPU per job: worker ${measured.workerCpuUsPerJob} µs, Redis ${redisCpuUsPerJob} µs`,
      );
    }
    return {
      process: ratio(results.ours.processPerSec, results.bullmq.processPerSec),
      workerCpu: ratio(results.ours.workerCpuUsPerJob, results.bullmq.workerCpuUsPerJob),
      redisCpu: ratio(results.ours.redisCpuUsPerJob, results.bullmq.redisCpuUsPerJob),
    };
  },
  async enqueue(redis, results) {
    for (const side of SIDES) {
      Object.assign(results[side], await enqueueAndWeigh(redis, side, "order"));
      log(`  ${side} enqueue: ${results[side].enqueuePerSec} jobs/s, ${results[side].bytesPerJob} bytes/job`);
    }
    return {
      enqueue: ratio(results.ours.enqueuePerSec, results.bullmq.enqueuePerSec),
      memory: ratio(results.ours.bytesPerJob, results.bullmq.bytesPerJob),
    };
  },
  /** Rounds alternate sides so a burst of load on this shared machine hits both alike. */
  async latency(redis, results) {
    const samples = { bullmq: [], ours: [] };
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const side of SIDES) {
        redis.cli("FLUSHALL");
        samples[side].push(...(await phase(redis, side, "latency")).samplesMs);
      }
    }
    for (const side of SIDES) {
      Object.assign(results[side], latencySummary(samples[side]));
      log(
        `  ${side} latency: p50 ${results[side].p50Ms} ms, p99 ${results[side].p99Ms} ms (${samples[side].length} samples)`,
      );
    }
    return {
      p50: ratio(results.ours.p50Ms, results.bullmq.p50Ms),
      p99: ratio(results.ours.p99Ms, results.bullmq.p99Ms),
    };
  },
};

async function scenarioOnly(redis, name) {
  const results = { bullmq: {}, ours: {} };
  const ratios = await SCENARIOS[name](redis, results);
  const runtime = flags.node ? "node" : "bun";
  for (const [key, value] of Object.entries(ratios)) {
    const target = TARGETS[key];
    const verdict = target ? ` (target ${target[0]} ${target[1]}: ${passes(value, target) ? "ok" : "MISS"})` : "";
    console.log(`${key} ratio: ${value}x BullMQ (${runtime})${verdict}`);
  }
  if (flags.json) console.log(JSON.stringify({ ...results, ratios }));
}

async function main() {
  if (flags.cluster) return clusterMain();
  if (flags.only !== undefined) {
    if (!Object.hasOwn(SCENARIOS, flags.only)) throw new Error(`--only knows ${Object.keys(SCENARIOS).join(", ")}`);
    const redis = await startRedis(ensureRedisBinaries({ log }));
    try {
      return await scenarioOnly(redis, flags.only);
    } finally {
      await redis.stop();
    }
  }
  const binaries = ensureRedisBinaries({ log });
  const redis = await startRedis(binaries);
  const started = Date.now();
  const results = { bullmq: {}, ours: {} };
  const scenarioRatios = {};
  try {
    const runtime = flags.node ? `node ${process.version}` : "bun";
    log(`bench: redis ${redis.version()} at ${redis.url}, measurement processes under ${runtime}`);
    for (const side of SIDES) {
      const measured = await enqueueAndWeigh(redis, side, "order");
      const small = await enqueueAndWeigh(redis, side, "welcome");
      Object.assign(results[side], measured, { bytesPerSmallJob: small.bytesPerJob });
      // BullMQ's addBulk keeps no batch record; ours does by default (27 bytes of each envelope).
      if (side === "ours")
        results.ours.bytesPerUntrackedJob = (
          await enqueueAndWeigh(redis, side, "order", { BENCH_TRACK: "false" })
        ).bytesPerJob;
      log(
        `  ${side} enqueue: ${measured.enqueuePerSec} jobs/s, ${measured.bytesPerJob} bytes/job (${small.bytesPerJob} small)`,
      );
    }
    Object.assign(scenarioRatios, await SCENARIOS.process(redis, results), await SCENARIOS.latency(redis, results));
    for (const side of SIDES) {
      const warm = { BENCH_WARMUP_JOBS: SUITE_WARMUP };
      redis.cli("FLUSHALL");
      const added = await phase(redis, side, "enqueue", { ...SUITE_ADD_BULK, ...warm });
      redis.cli("FLUSHALL");
      await phase(redis, side, "fill", { ...SUITE_CONCURRENT, ...warm });
      const consumed = await phase(redis, side, "process", { ...SUITE_CONCURRENT, ...warm });
      results[side].suiteAddBulkPerSec = added.enqueuePerSec;
      results[side].suiteConcurrentPerSec = consumed.processPerSec;
      log(
        `  ${side} bullmq-bench suite: add-bulk ${added.enqueuePerSec}, worker-concurrent ${consumed.processPerSec} jobs/s`,
      );
    }
    for (const side of SIDES) {
      // Each side at its own defaults (ours: 6 s lease; BullMQ: 30 s lock, stalled check every 30 s).
      redis.cli("FLUSHALL");
      Object.assign(results[side], await phase(redis, side, "recovery"));
      log(`  ${side} recovery after kill -9: ${results[side].recoverySeconds} s`);
      // What remembering delivered ids costs: ours keeps ids for its dedupe window, BullMQ can only
      // refuse a re-added id while it keeps the completed job (removeOnComplete: {age} for the same window).
      redis.cli("FLUSHALL");
      const before = redis.usedMemory();
      const { delivered } = await phase(redis, side, "dedupe");
      results[side].bytesPerDeliveredId = Math.round((redis.usedMemory() - before) / delivered);
      log(`  ${side} dedupe: ${results[side].bytesPerDeliveredId} bytes per delivered id`);
    }
    const deliver = join(ROOT, "scripts", "bench-deliver.mjs");
    if (existsSync(deliver)) {
      // It starts its own redis-server and provider stand-in; its workers always run under Bun.
      const jobs = process.env.BENCH_DELIVER_JOBS;
      const args = [deliver, ...(jobs ? ["--jobs", jobs] : [])];
      const delivered = await run(process.execPath, args, {}, "bench-deliver");
      results.ours.deliverPerSec = delivered.deliverPerSec;
      if (delivered.deliverWorkerCpuUsPerJob != null)
        results.ours.deliverWorkerCpuUsPerJob = delivered.deliverWorkerCpuUsPerJob;
      log(`  ours deliver: ${delivered.deliverPerSec} jobs/s`);
    }
    const deliverBatch = join(ROOT, "scripts", "bench-deliver-batch.mjs");
    if (existsSync(deliverBatch)) {
      // A campaign in SendGrid batches from one worker process; its own redis-server and stand-in.
      const recipients = process.env.BENCH_DELIVER_BATCH_RECIPIENTS;
      const args = [deliverBatch, ...(recipients ? ["--recipients", recipients] : [])];
      const delivered = await run(process.execPath, args, {}, "bench-deliver-batch");
      results.ours.deliverBatchPerSec = delivered.deliverBatchPerSec;
      if (delivered.deliverBatchWorkerCpuUsPerJob != null)
        results.ours.deliverBatchWorkerCpuUsPerJob = delivered.deliverBatchWorkerCpuUsPerJob;
      log(`  ours deliver (campaign batches): ${delivered.deliverBatchPerSec} emails/s`);
    }
  } finally {
    await redis.stop();
  }
  const { ours, bullmq } = results;
  const ratios = {
    ...scenarioRatios,
    enqueue: ratio(ours.enqueuePerSec, bullmq.enqueuePerSec),
    memory: ratio(ours.bytesPerJob, bullmq.bytesPerJob),
    suiteAddBulk: ratio(ours.suiteAddBulkPerSec, bullmq.suiteAddBulkPerSec),
    suiteConcurrent: ratio(ours.suiteConcurrentPerSec, bullmq.suiteConcurrentPerSec),
    recovery: ratio(ours.recoverySeconds, bullmq.recoverySeconds),
    dedupeBytes: ratio(ours.bytesPerDeliveredId, bullmq.bytesPerDeliveredId),
  };
  const shownRatios = {
    ...ratios,
    memorySmall: ratio(ours.bytesPerSmallJob, bullmq.bytesPerSmallJob),
    memoryUntracked: ratio(ours.bytesPerUntrackedJob, bullmq.bytesPerJob),
  };
  console.log(table(results, shownRatios));
  console.log(`(${Math.round((Date.now() - started) / 1000)} s, ${flags.node ? "node" : "bun"})`);
  if (flags.json) console.log(JSON.stringify({ ours, bullmq, ratios }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
