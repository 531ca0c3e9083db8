// What both sides of the benchmark share: the job payload, the sizes, the clock and the way a phase
// reports back to scripts/bench.mjs (one JSON line on stdout).
import { spawn } from "node:child_process";

export type Phase = "enqueue" | "fill" | "process" | "latency" | "recovery" | "victim" | "dedupe";
const PHASES: readonly Phase[] = ["enqueue", "fill", "process", "latency", "recovery", "victim", "dedupe"];

export interface BenchSizes {
  enqueueJobs: number;
  processJobs: number;
  latencyJobs: number;
  chunk: number;
  concurrency: number;
  /** Jobs pushed (enqueue) or run (process) before the clock starts, as bullmq-bench's suite does. */
  warmupJobs: number;
  /** Jobs the killed worker holds in the recovery phase. */
  recoveryJobs: number;
  /** Jobs delivered in the de-duplication phase before the memory they leave behind is read. */
  dedupeJobs: number;
  /**
   * Lease (ours) and lock duration plus stalled-check interval (BullMQ) in the recovery phase; null
   * (the default) leaves each side at its own defaults, which is what the figure is about.
   */
  leaseMs: number | null;
}

function intFromEnv(name: string, fallback: number, min = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

export function benchSizes(): BenchSizes {
  return {
    enqueueJobs: intFromEnv("BENCH_ENQUEUE_JOBS", 50_000),
    processJobs: intFromEnv("BENCH_PROCESS_JOBS", 100_000),
    latencyJobs: intFromEnv("BENCH_LATENCY_JOBS", 300),
    chunk: intFromEnv("BENCH_CHUNK", 1_000),
    concurrency: intFromEnv("BENCH_CONCURRENCY", 50),
    warmupJobs: intFromEnv("BENCH_WARMUP_JOBS", 0, 0),
    recoveryJobs: intFromEnv("BENCH_RECOVERY_JOBS", 10),
    dedupeJobs: intFromEnv("BENCH_DEDUPE_JOBS", 10_000),
    leaseMs: process.env.BENCH_LEASE_MS ? intFromEnv("BENCH_LEASE_MS", 1) : null,
  };
}

export function benchArgs(): { phase: Phase; redisUrl: string; queue: string } {
  const phase = process.argv[2];
  if (!PHASES.includes(phase as Phase)) {
    throw new Error(`unknown phase ${JSON.stringify(phase)}: expected ${PHASES.join("|")}`);
  }
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error("REDIS_URL must point at the benchmark's throw-away redis-server");
  return { phase: phase as Phase, redisUrl, queue: process.env.BENCH_QUEUE ?? "bench" };
}

/** Seed 004's job shape, the same bytes on both sides. */
export interface BenchJob {
  type: string;
  to: string;
  data: Record<string, unknown>;
}

/**
 * "order" (default) is a typical transactional email: an order confirmation with one line item.
 * "welcome" is the smallest job seed 004 knows; its data stays under Redis' 64-byte listpack limit
 * inside BullMQ's job hash, which makes BullMQ's per-job memory about half of what it is otherwise.
 * "tiny" is bullmq-bench's 1x1 payload (one key, one UUID-sized value), for its suite's scenarios.
 */
export type Payload = "order" | "welcome" | "tiny";

export function payloadFromEnv(): Payload {
  const payload = process.env.BENCH_PAYLOAD ?? "order";
  if (payload !== "order" && payload !== "welcome" && payload !== "tiny")
    throw new Error(`BENCH_PAYLOAD must be order, welcome or tiny, got ${payload}`);
  return payload;
}

export function makeJobs(count: number, payload: Payload = payloadFromEnv()): BenchJob[] {
  const jobs: BenchJob[] = new Array(count);
  for (let n = 0; n < count; n++) {
    const to = `user${n}@example.com`;
    if (payload === "tiny") {
      jobs[n] = { type: "tiny", to, data: { k0: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` } };
      continue;
    }
    jobs[n] =
      payload === "welcome"
        ? { type: "welcome", to, data: { user_name: `User ${n}` } }
        : {
            type: "order_confirmation",
            to,
            data: {
              order_number: `ORD-${String(n).padStart(8, "0")}`,
              total_amount: "49.90",
              currency: "EUR",
              items: [{ name: "Notebook A5", quantity: 1, price: "49.90" }],
            },
          };
  }
  return jobs;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function now(): number {
  return performance.now();
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Counts events and resolves `done` with the time the `target`-th one happened; rejects when the
 * count stops moving for `stallMs` (nothing was filled, or jobs were lost), instead of waiting forever.
 */
export function deferredCount(
  target: number,
  stallMs = 30_000,
  warmup = 0,
): { tick(): void; done: Promise<number>; count(): number; warmedAt(): number | null; cpuUsPerEvent(): number } {
  let seen = 0;
  // This process's CPU from the counter's creation to its target, per event: unlike the rate, it
  // hardly moves when the shared host steals time from the run.
  const cpuAtStart = process.cpuUsage();
  let cpuUs = Number.NaN;
  let warmed: number | null = null;
  let resolveDone: (at: number) => void = () => {};
  let rejectDone: (error: Error) => void = () => {};
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  let lastSeen = -1;
  const watch = setInterval(() => {
    if (seen === lastSeen) rejectDone(new Error(`stalled at ${seen} of ${target} jobs for ${stallMs} ms`));
    lastSeen = seen;
  }, stallMs);
  void done.finally(() => clearInterval(watch)).catch(() => {});
  return {
    tick() {
      seen++;
      if (seen === warmup) warmed = now();
      if (seen === target) {
        const used = process.cpuUsage(cpuAtStart);
        cpuUs = used.user + used.system;
        resolveDone(now());
      }
    },
    done,
    count: () => seen,
    warmedAt: () => warmed,
    cpuUsPerEvent: () => cpuUs / target,
  };
}

/**
 * Idle enqueue-to-start latency: one job at a time, each pushed only after the previous one finished
 * and the worker had 10 ms to go back to its blocking wait. The worker calls started() first thing in
 * its handler and completed() from its "completed" event.
 */
export function latencyProbe(): {
  started(): void;
  completed(): void;
  measure(push: (job: BenchJob) => Promise<unknown>, count: number, warmup?: number): Promise<{ samplesMs: number[] }>;
} {
  let onStart: (at: number) => void = () => {};
  let onDone: () => void = () => {};
  return {
    started: () => onStart(now()),
    completed: () => onDone(),
    async measure(push, count, warmup = 20) {
      const samples: number[] = [];
      for (const [i, job] of makeJobs(count + warmup).entries()) {
        await sleep(10);
        const startedAt = new Promise<number>((r) => {
          onStart = r;
        });
        const completed = new Promise<void>((r) => {
          onDone = r;
        });
        const pushedAt = now();
        await push(job);
        const latencyMs = (await withTimeout(startedAt, 10_000, `job ${i} was not started within 10 s`)) - pushedAt;
        await completed;
        if (i >= warmup) samples.push(latencyMs);
      }
      // Raw samples: scripts/bench.mjs merges several rounds per side before taking percentiles.
      return { samplesMs: samples.map((ms) => round(ms, 3)) };
    },
  };
}

/** A measurement that hangs is a finding, not something to wait out: fail with what was missed. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Seconds from `started` (the clock of the first timed job) to the last completion: with a warm-up
 * the clock starts at the warm-up's last completion, as bullmq-bench's suite does.
 */
export function processResult(
  done: ReturnType<typeof deferredCount>,
  createdAt: number,
  finished: number,
  timedJobs: number,
): Record<string, unknown> {
  const seconds = (finished - (done.warmedAt() ?? createdAt)) / 1000;
  return {
    processed: timedJobs,
    jobsRun: done.count(),
    processSeconds: round(seconds, 3),
    processPerSec: Math.round(timedJobs / seconds),
    // Warm-up included: the whole process's CPU, worker start to last completion, per job run.
    workerCpuUsPerJob: round(done.cpuUsPerEvent(), 2),
  };
}

/** One line per job the victim started, so the parent knows when every job is inside a handler. */
const VICTIM_LINE = "started ";

/**
 * The killed worker of the recovery phase: runs every job it gets in a handler that never returns,
 * announces each on stdout, and waits for its kill -9.
 */
export async function runVictim(start: (onStart: (id: string) => void) => Promise<void>): Promise<void> {
  await start((id) => process.stdout.write(`${VICTIM_LINE}${id}\n`));
  await new Promise(() => {});
}

export interface RecoveryHooks {
  fill(count: number): Promise<void>;
  /** Starts a live worker that calls onStart(id) first thing in its handler; resolves with its close. */
  rescuer(onStart: (id: string) => void): Promise<() => Promise<void>>;
}

/**
 * Recovery time after kill -9: a child process (this file, phase "victim") takes every job into
 * handlers that never return, a live worker waits, the child is killed with SIGKILL, and the
 * clock runs until the live worker has started every one of the child's jobs again.
 */
export async function measureRecovery(hooks: RecoveryHooks, count: number): Promise<Record<string, unknown>> {
  await hooks.fill(count);
  const script = process.argv[1];
  if (!script) throw new Error("cannot tell which script to start as the victim");
  const victim = spawn(process.execPath, [script, "victim"], { stdio: ["ignore", "pipe", "inherit"] });
  const held = new Set<string>();
  let buffered = "";
  const allHeld = new Promise<void>((resolve, reject) => {
    victim.once("exit", (code) => reject(new Error(`the victim worker exited (${code}) before holding its jobs`)));
    victim.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith(VICTIM_LINE)) held.add(line.slice(VICTIM_LINE.length));
      if (held.size >= count) resolve();
    });
  });
  await withTimeout(allHeld, 60_000, `the victim worker started only ${held.size} of ${count} jobs`);
  const restarted = new Map<string, number>();
  const allBack = deferredCount(count, 300_000);
  const close = await hooks.rescuer((id) => {
    if (held.has(id) && !restarted.has(id)) {
      restarted.set(id, now());
      allBack.tick();
    }
  });
  const exited = new Promise((resolve) => victim.once("exit", resolve));
  const killedAt = now();
  victim.kill("SIGKILL");
  await exited;
  const last = await allBack.done;
  await close();
  const first = Math.min(...restarted.values());
  return {
    recoveredJobs: restarted.size,
    recoveryFirstSeconds: round((first - killedAt) / 1000, 3),
    recoverySeconds: round((last - killedAt) / 1000, 3),
  };
}

/** What each side of the benchmark implements; runSide maps a phase onto it the same way for both. */
export interface BenchSide {
  /** Pushes `warmup` jobs untimed, then `count` jobs, and returns the milliseconds the latter took. */
  enqueue(count: number, warmup: number): Promise<number>;
  processAll(): Promise<Record<string, unknown>>;
  latency(): Promise<Record<string, unknown>>;
  recovery(): Promise<Record<string, unknown>>;
  victim(): Promise<void>;
  /** Pushes and delivers BENCH_DEDUPE_JOBS jobs, keeping what the side keeps to skip a re-run id. */
  dedupe(): Promise<Record<string, unknown>>;
}

export function runSide(phase: Phase, side: BenchSide): void {
  const sizes = benchSizes();
  runPhase(async () => {
    switch (phase) {
      case "enqueue": {
        const ms = await side.enqueue(sizes.enqueueJobs, sizes.warmupJobs);
        return {
          enqueued: sizes.enqueueJobs,
          enqueueSeconds: round(ms / 1000, 3),
          enqueuePerSec: Math.round(sizes.enqueueJobs / (ms / 1000)),
        };
      }
      case "fill":
        await side.enqueue(sizes.processJobs + sizes.warmupJobs, 0);
        return { filled: sizes.processJobs + sizes.warmupJobs };
      case "process":
        return side.processAll();
      case "latency":
        return side.latency();
      case "recovery":
        return side.recovery();
      case "victim":
        await side.victim();
        return {};
      case "dedupe":
        return side.dedupe();
    }
  });
}

export function runPhase(main: () => Promise<Record<string, unknown>>): void {
  main().then(
    (result) => {
      report(result);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
