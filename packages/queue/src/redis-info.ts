import type { Redis } from "ioredis";
import type { RedisConnection } from "./connection.ts";
import { isCluster } from "./connection.ts";
import { logicalQueueNames } from "./partition-registry.ts";

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
  /** Changes whenever the server restarts (INFO run_id). */
  runId: string;
  role: string;
  aofEnabled: boolean;
  /** `noeviction` keeps queued jobs; any other policy lets Redis drop them under memory pressure. */
  maxmemoryPolicy: string;
  /** used_memory has reached maxmemory: writes that grow memory are refused (OOM). */
  outOfMemory: boolean;
  fragmentationRatio: number;
  opsPerSecond: number;
  /** rdb, aof, both or none */
  persistence: string;
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** What Redis has spent so far: CPU seconds (user + sys) and calls per command, summed over masters. */
export interface RedisUsage {
  cpuSeconds: number;
  /** Calls per command (`evalsha`, `hmget`, ...), as INFO commandstats counts them. */
  calls: Map<string, number>;
}

/** Read before and after a measured run, so a benchmark can charge Redis's share to each job. */
export async function redisUsage(redis: RedisConnection): Promise<RedisUsage> {
  const nodes = isCluster(redis) ? redis.nodes("master") : [redis];
  const usage: RedisUsage = { cpuSeconds: 0, calls: new Map() };
  for (const node of nodes) {
    const fields = parseInfo(`${await node.info("cpu")}\r\n${await node.info("commandstats")}`);
    usage.cpuSeconds += Number(fields.used_cpu_user ?? 0) + Number(fields.used_cpu_sys ?? 0);
    for (const [field, value] of Object.entries(fields)) {
      const calls = /^calls=(\d+)/.exec(value)?.[1];
      if (field.startsWith("cmdstat_") && calls)
        usage.calls.set(field.slice(8), (usage.calls.get(field.slice(8)) ?? 0) + Number(calls));
    }
  }
  return usage;
}

/** Seed 004's redis_stats, plus what an admin page needs. On a cluster, memory, keys and clients are summed over masters. */
export async function redisInfo(redis: RedisConnection): Promise<RedisInfo> {
  const nodes = isCluster(redis) ? redis.nodes("master") : [redis];
  const per = await Promise.all(
    nodes.map(async (node) => ({ info: parseInfo(await node.info()), keys: await node.dbsize() })),
  );
  const first = per[0]?.info ?? {};
  const firstSave = nodes[0] ? await saveScheduleOf(nodes[0]) : null;
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
    runId: first.run_id ?? "",
    role: first.role ?? "unknown",
    aofEnabled: first.aof_enabled === "1",
    maxmemoryPolicy: first.maxmemory_policy ?? "unknown",
    outOfMemory: per.some((p) => {
      const max = Number(p.info.maxmemory ?? 0);
      return max > 0 && Number(p.info.used_memory ?? 0) >= max;
    }),
    fragmentationRatio: Number(first.mem_fragmentation_ratio ?? 0),
    opsPerSecond: sum("instantaneous_ops_per_sec"),
    persistence: persistenceOf(first, firstSave),
  };
}

function persistenceOf(info: Record<string, string>, saveSchedule: string | null): string {
  const aof = info.aof_enabled === "1";
  // Managed Redis often refuses CONFIG: then RDB is reported only when a save has happened.
  const rdb = saveSchedule === null ? Number(info.rdb_saves ?? 0) > 0 : saveSchedule.trim() !== "";
  if (aof && rdb) return "aof+rdb";
  if (aof) return "aof";
  return rdb ? "rdb" : "none";
}

async function saveScheduleOf(node: Redis): Promise<string | null> {
  try {
    const reply = (await node.config("GET", "save")) as string[];
    return reply[1] ?? "";
  } catch {
    return null;
  }
}

/**
 * One line to print at start when Redis may drop queued jobs: any policy but `noeviction` evicts
 * keys under memory pressure, and a pending list is a key like any other. Null when safe.
 */
export function evictionWarning(info: Pick<RedisInfo, "maxmemoryPolicy">): string | null {
  if (info.maxmemoryPolicy === "noeviction" || info.maxmemoryPolicy === "unknown") return null;
  return `Redis maxmemory-policy is ${info.maxmemoryPolicy}: under memory pressure Redis will silently evict queued jobs. Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf).`;
}

/** Reads the policy and logs the warning, once, at a process's start. Never throws. */
export async function warnOnEvictionPolicy(
  redis: RedisConnection,
  warn: (message: string) => void,
): Promise<string | null> {
  try {
    const warning = evictionWarning(await redisInfo(redis));
    if (warning) warn(warning);
    return warning;
  } catch {
    return null;
  }
}

/** Known queues by their logical names: the partitions of a partitioned queue show as the queue itself. */
export function listQueues(redis: RedisConnection, prefix?: string): Promise<string[]> {
  return logicalQueueNames(redis, prefix);
}
