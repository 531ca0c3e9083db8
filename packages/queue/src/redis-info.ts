import type { RedisConnection } from "./connection.ts";
import { isCluster } from "./connection.ts";
import { registryKey } from "./keys.ts";

export interface RedisInfo {
  version: string;
  mode: "standalone" | "cluster";
  usedMemory: number;
  usedMemoryHuman: string;
  peakMemoryHuman: string;
  maxMemory: number;
  keys: number;
  connectedClients: number;
  uptimeSeconds: number;
  role: string;
  aofEnabled: boolean;
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** Seed 004's redis_stats, plus what an admin page needs. On a cluster, memory, keys and clients are summed over masters. */
export async function redisInfo(redis: RedisConnection): Promise<RedisInfo> {
  const nodes = isCluster(redis) ? redis.nodes("master") : [redis];
  const per = await Promise.all(
    nodes.map(async (node) => ({ info: parseInfo(await node.info()), keys: await node.dbsize() })),
  );
  const first = per[0]?.info ?? {};
  const sum = (field: string) => per.reduce((total, p) => total + Number(p.info[field] ?? 0), 0);
  const usedMemory = sum("used_memory");
  return {
    version: first.redis_version ?? first.valkey_version ?? "unknown",
    mode: isCluster(redis) ? "cluster" : "standalone",
    usedMemory,
    usedMemoryHuman: per.length === 1 ? (first.used_memory_human ?? "") : `${(usedMemory / 1048576).toFixed(2)}M`,
    peakMemoryHuman: first.used_memory_peak_human ?? "",
    maxMemory: Number(first.maxmemory ?? 0),
    keys: per.reduce((total, p) => total + p.keys, 0),
    connectedClients: sum("connected_clients"),
    uptimeSeconds: Number(first.uptime_in_seconds ?? 0),
    role: first.role ?? "unknown",
    aofEnabled: first.aof_enabled === "1",
  };
}

export async function listQueues(redis: RedisConnection, prefix?: string): Promise<string[]> {
  return (await redis.smembers(registryKey(prefix))).sort();
}
