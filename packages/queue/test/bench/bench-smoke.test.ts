// The benchmark harness end to end at toy sizes: both sides run, every figure is there, the JSON
// line has the shape the README and CI read. The real figures come from `npm run bench`.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

describe("npm run bench", () => {
  it("measures both sides on its own redis-server and prints the ratios as the last line", async () => {
    const env = {
      ...process.env,
      BENCH_ENQUEUE_JOBS: "300",
      BENCH_PROCESS_JOBS: "600",
      BENCH_LATENCY_JOBS: "5",
      BENCH_DELIVER_JOBS: "300",
      BENCH_SUITE_JOBS: "300",
      BENCH_SUITE_WARMUP: "50",
      BENCH_DEDUPE_JOBS: "300",
      BENCH_RECOVERY_JOBS: "4",
      // Both sides' lease (ours) and lock plus stalled check (BullMQ) at 1 s, so recovery takes seconds.
      BENCH_LEASE_MS: "1000",
      BENCH_PHASE_TIMEOUT_MS: "60000",
    };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ["scripts/bench.mjs", "--json"],
        { cwd: ROOT, env, timeout: 240_000 },
        (error, out, err) => (error ? reject(new Error(`bench failed: ${err}`)) : resolve(out)),
      );
    });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^metric\s+BullMQ\s+ours/);
    const result = JSON.parse(lines[lines.length - 1] ?? "") as {
      ours: Record<string, number>;
      bullmq: Record<string, number>;
      ratios: Record<string, number>;
    };
    for (const side of [result.ours, result.bullmq]) {
      expect(side).toMatchObject({ enqueued: 300, processed: 600, latencySamples: 15 });
      expect(side).toMatchObject({ recoveredJobs: 4, recoveryLeaseMs: 1000 });
      for (const key of [
        "enqueuePerSec",
        "processPerSec",
        "p50Ms",
        "p99Ms",
        "bytesPerJob",
        "bytesPerSmallJob",
        "suiteAddBulkPerSec",
        "suiteConcurrentPerSec",
        "recoverySeconds",
        "bytesPerDeliveredId",
      ]) {
        expect(side[key], key).toBeGreaterThan(0);
      }
    }
    if (existsSync(`${ROOT}scripts/bench-deliver.mjs`)) expect(result.ours.deliverPerSec).toBeGreaterThan(0);
    expect(Object.keys(result.ratios).sort()).toEqual([
      "dedupeBytes",
      "enqueue",
      "memory",
      "p50",
      "p99",
      "process",
      "recovery",
      "redisCpu",
      "suiteAddBulk",
      "suiteConcurrent",
      "workerCpu",
    ]);
    const { ours, bullmq } = { ours: result.ours.processPerSec ?? 0, bullmq: result.bullmq.processPerSec ?? 1 };
    expect(result.ratios.process).toBeCloseTo(ours / bullmq, 1);
  }, 270_000);
});
