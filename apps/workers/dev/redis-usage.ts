// What the delivery benchmarks cost Redis: INFO cpu and commandstats before and after a run, as
// CPU µs and calls per delivered email, so a change can be judged by Redis' share as well as the
// worker's (the machine's cores are shared, so rates alone say little).
import type { RedisConnection } from "@notify/queue";

export interface RedisSample {
  cpuSeconds: number;
  /** Calls per command (`cmdstat_evalsha`, ...), as INFO commandstats counts them. */
  calls: Map<string, number>;
}

export async function sampleRedis(redis: RedisConnection): Promise<RedisSample> {
  const text = `${await redis.info("cpu")}\n${await redis.info("commandstats")}`;
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1] as string, Number(match[2]));
  return { cpuSeconds: field("used_cpu_user") + field("used_cpu_sys"), calls };
}

/** Redis CPU µs per email and, busiest first, each command's calls per email. */
export function redisUsagePerJob(before: RedisSample, after: RedisSample, jobs: number) {
  const commands: Record<string, number> = {};
  const deltas = [...after.calls].map(([name, calls]) => [name, calls - (before.calls.get(name) ?? 0)] as const);
  for (const [name, delta] of deltas.sort((a, b) => b[1] - a[1]))
    if (delta > 0) commands[name] = Math.round((delta / jobs) * 1000) / 1000;
  return { redisCpuUsPerJob: Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / jobs), commands };
}
