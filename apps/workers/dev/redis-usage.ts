// What the delivery benchmarks cost Redis: INFO cpu and commandstats before and after a run, as
// CPU µs and calls per delivered email, so a change can be judged by Redis' share as well as the
// worker's (the machine's cores are shared, so rates alone say little).
// The engine reads the counters (redisUsage); this turns two readings into per-email figures.
import type { RedisUsage } from "@notify/queue";

/** Redis CPU µs per email and, busiest first, each command's calls per email. */
export function redisUsagePerJob(before: RedisUsage, after: RedisUsage, jobs: number) {
  const commands: Record<string, number> = {};
  const deltas = [...after.calls].map(([name, calls]) => [name, calls - (before.calls.get(name) ?? 0)] as const);
  for (const [name, delta] of deltas.sort((a, b) => b[1] - a[1]))
    if (delta > 0) commands[name] = Math.round((delta / jobs) * 1000) / 1000;
  return { redisCpuUsPerJob: Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / jobs), commands };
}
