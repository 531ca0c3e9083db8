// Faults a test or the chaos run inflicts on a Redis server from outside, beside the restarts and
// kills of redis-server.ts: filling it to maxmemory.
import { Redis } from "ioredis";

/**
 * Puts the server at maxmemory under noeviction for `ms` (the limit set to half of what it uses,
 * so acks freeing payloads cannot bring it back under), then lifts the limit. Resolves true when a
 * growing write was refused meanwhile, i.e. the episode really happened.
 */
export async function atMaxmemory(url: string, ms: number): Promise<boolean> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const used = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
    await redis.config("SET", "maxmemory-policy", "noeviction");
    await redis.config("SET", "maxmemory", String(Math.max(1, Math.floor(used / 2))));
    const refused = await redis.set("fault:oom-probe", "x").then(
      () => false,
      (error: unknown) => error instanceof Error && error.message.startsWith("OOM "),
    );
    await new Promise((resolve) => setTimeout(resolve, ms));
    await redis.config("SET", "maxmemory", "0");
    return refused;
  } finally {
    redis.disconnect();
  }
}
