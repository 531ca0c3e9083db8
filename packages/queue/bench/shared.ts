// What both sides of the benchmark share: the job payload, the sizes, the clock and the way a phase
// reports back to scripts/bench.mjs (one JSON line on stdout).

export type Phase = "enqueue" | "fill" | "process" | "latency";

export interface BenchSizes {
  enqueueJobs: number;
  processJobs: number;
  latencyJobs: number;
  chunk: number;
  concurrency: number;
}

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

export function benchSizes(): BenchSizes {
  return {
    enqueueJobs: intFromEnv("BENCH_ENQUEUE_JOBS", 50_000),
    processJobs: intFromEnv("BENCH_PROCESS_JOBS", 100_000),
    latencyJobs: intFromEnv("BENCH_LATENCY_JOBS", 300),
    chunk: intFromEnv("BENCH_CHUNK", 1_000),
    concurrency: intFromEnv("BENCH_CONCURRENCY", 50),
  };
}

export function benchArgs(): { phase: Phase; redisUrl: string; queue: string } {
  const phase = process.argv[2];
  if (phase !== "enqueue" && phase !== "fill" && phase !== "process" && phase !== "latency") {
    throw new Error(`unknown phase ${JSON.stringify(phase)}: expected enqueue|fill|process|latency`);
  }
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error("REDIS_URL must point at the benchmark's throw-away redis-server");
  return { phase, redisUrl, queue: process.env.BENCH_QUEUE ?? "bench" };
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
 */
export type Payload = "order" | "welcome";

export function payloadFromEnv(): Payload {
  const payload = process.env.BENCH_PAYLOAD ?? "order";
  if (payload !== "order" && payload !== "welcome")
    throw new Error(`BENCH_PAYLOAD must be order or welcome, got ${payload}`);
  return payload;
}

export function makeJobs(count: number, payload: Payload = payloadFromEnv()): BenchJob[] {
  const jobs: BenchJob[] = new Array(count);
  for (let n = 0; n < count; n++) {
    const to = `user${n}@example.com`;
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
): { tick(): void; done: Promise<number>; count(): number } {
  let seen = 0;
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
      if (seen === target) resolveDone(now());
    },
    done,
    count: () => seen,
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

/** What each side of the benchmark implements; runSide maps a phase onto it the same way for both. */
export interface BenchSide {
  /** Pushes `count` jobs and returns the milliseconds it took. */
  enqueue(count: number): Promise<number>;
  processAll(): Promise<Record<string, unknown>>;
  latency(): Promise<Record<string, unknown>>;
}

export function runSide(phase: Phase, side: BenchSide): void {
  const sizes = benchSizes();
  runPhase(async () => {
    switch (phase) {
      case "enqueue": {
        const ms = await side.enqueue(sizes.enqueueJobs);
        return {
          enqueued: sizes.enqueueJobs,
          enqueueSeconds: round(ms / 1000, 3),
          enqueuePerSec: Math.round(sizes.enqueueJobs / (ms / 1000)),
        };
      }
      case "fill":
        await side.enqueue(sizes.processJobs);
        return { filled: sizes.processJobs };
      case "process":
        return side.processAll();
      case "latency":
        return side.latency();
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
