// Redis connections. REDIS_URL may be redis:// or rediss:// and may carry a user, password and db;
// REDIS_CLUSTER_NODES (host:port,host:port) selects Redis Cluster instead, and REDIS_SENTINELS
// (host:port,host:port, with REDIS_SENTINEL_NAME, default mymaster) a Sentinel-managed master.
// With either, REDIS_URL's host is not used: its password, db and rediss:// still apply to the
// data nodes. Every process (API, workers, CLI) gets these defaults here, parsed in one place.
import "./tracing-channel-shim.ts";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { reconnectDelay } from "./reconnect-delay.ts";
import { followSentinelSwitches } from "./sentinel-switch.ts";

export type RedisConnection = Redis | Cluster;

/** The embedded server `npm start` runs (scripts/redis.mjs): its own port, never 6379. */
export const DEFAULT_REDIS_URL = `redis://127.0.0.1:${process.env.NOTIFY_REDIS_PORT ?? 6390}`;
export const DEFAULT_SENTINEL_NAME = "mymaster";

/**
 * The Redis URL a process was given: REDIS_URL, else seed 001's QUEUE_REDIS_URL, else seed 003's
 * REDIS_ADDR (host:port); undefined when none is (an empty value counts as unset).
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.REDIS_URL?.trim() || env.QUEUE_REDIS_URL?.trim() || redisAddrUrl(env.REDIS_ADDR) || undefined;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252})):(\d{1,5})$/;

/** Seed 003's REDIS_ADDR=host:port as a redis:// URL; undefined when unset or not host:port. */
export function redisAddrUrl(addr: string | undefined): string | undefined {
  const value = addr?.trim();
  if (!value) return undefined;
  const port = Number(HOST_PORT.exec(value)?.[3]);
  return port >= 1 && port <= 65_535 ? `redis://${value}` : undefined;
}

/** Why REDIS_ADDR cannot be used, or null (unset counts as fine). */
export function redisAddrProblem(addr: string | undefined): string | null {
  if (!addr?.trim() || redisAddrUrl(addr)) return null;
  return `REDIS_ADDR: "${addr.trim()}" is not host:port (e.g. localhost:6379)`;
}

export interface CreateRedisOptions extends RedisOptions {
  /** host:port list; when set, a Cluster client is made instead. */
  clusterNodes?: string[];
  clusterOptions?: ClusterOptions;
  /** host:port list of sentinels; when set (and no cluster), the master is found through them. */
  sentinelNodes?: string[];
  /** The master group the sentinels monitor. */
  sentinelName?: string;
}

/**
 * Cluster failover takes cluster-node-timeout plus an election (a few seconds). Meanwhile a
 * command to the lost master sees closed connections and CLUSTERDOWN; each retry uses one
 * redirection, so 100 of them 300 ms apart ride out about 30 s instead of ioredis' 1.6 s.
 */
export const CLUSTER_FAILOVER_OPTIONS: ClusterOptions = {
  retryDelayOnFailover: 300,
  retryDelayOnClusterDown: 300,
  retryDelayOnTryAgain: 300,
  maxRedirections: 100,
};

export function createRedis(
  url = redisUrlFromEnv() ?? DEFAULT_REDIS_URL,
  options: CreateRedisOptions = {},
): RedisConnection {
  const {
    clusterNodes = parseNodes(process.env.REDIS_CLUSTER_NODES, "REDIS_CLUSTER_NODES"),
    clusterOptions,
    sentinelNodes = parseNodes(process.env.REDIS_SENTINELS, "REDIS_SENTINELS"),
    sentinelName = process.env.REDIS_SENTINEL_NAME?.trim() || DEFAULT_SENTINEL_NAME,
    ...redisOptions
  } = options;
  const base: RedisOptions = {
    connectTimeout: 5_000,
    retryStrategy: reconnectDelay,
    // A master demoted to replica (failover behind a DNS name or a load balancer) answers writes
    // with READONLY: reconnect, which finds the new master, and resend (nothing ran).
    reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
    ...redisOptions,
  };
  if (clusterNodes.length > 0) {
    return new Cluster(clusterNodes.map(toAddress(6379)), {
      ...CLUSTER_FAILOVER_OPTIONS,
      ...clusterOptions,
      // Redis Cluster has only db 0: a db in REDIS_URL is not applied there.
      redisOptions: { ...base, ...dataNodeOptions(url, false) },
    });
  }
  if (sentinelNodes.length > 0) {
    const tls = url.startsWith("rediss://");
    const sentinels = sentinelNodes.map(toAddress(26379));
    const sentinelPassword = process.env.REDIS_SENTINEL_PASSWORD || undefined;
    const redis = new Redis({
      sentinels,
      name: sentinelName,
      sentinelPassword,
      // Keep asking the sentinels (they may be restarting too); a caller's own
      // sentinelRetryStrategy wins (the CLI's gives up at once).
      sentinelRetryStrategy: reconnectDelay,
      ...base,
      ...dataNodeOptions(url),
      ...(tls ? { enableTLSForSentinelMode: true } : {}),
    });
    // Not ioredis's failoverDetector: see sentinel-switch.ts.
    return followSentinelSwitches(redis, { sentinels, name: sentinelName, sentinelPassword, tls });
  }
  return new Redis(url, base);
}

/** User, password, db and TLS from REDIS_URL, for nodes whose address comes from elsewhere. */
function dataNodeOptions(url: string, withDb = true): RedisOptions {
  const parsed = new URL(url.includes("://") ? url : `redis://${url}`);
  const db = Number(parsed.pathname.slice(1) || 0);
  return {
    ...(parsed.password
      ? { password: decodeURIComponent(parsed.password), username: decodeURIComponent(parsed.username) || undefined }
      : {}),
    ...(withDb && Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** A missing port is Redis's (6379) for data nodes, Sentinel's (26379) for sentinels. */
function toAddress(defaultPort: number) {
  return (node: string): { host: string; port: number } => {
    const [host, port] = splitHostPort(node);
    return { host, port: port ?? defaultPort };
  };
}

function splitHostPort(node: string): [string, number | undefined] {
  const colon = node.lastIndexOf(":");
  if (colon < 0) return [node, undefined];
  return [node.slice(0, colon), Number(node.slice(colon + 1))];
}

/** Splits a host[:port] list; a malformed entry is an error naming the variable, not a silent default. */
export function parseNodes(value: string | undefined, variable = "node list"): string[] {
  const nodes = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const node of nodes) {
    const [host, port] = splitHostPort(node);
    if (!host || (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535))) {
      throw new Error(`${variable}: "${node}" is not host:port (e.g. 10.0.0.5:26379)`);
    }
  }
  return nodes;
}

export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * A connection of its own for blocking commands, with auto-pipelining off: commands sent behind a
 * blocking one must go out in order on this connection, and ioredis's auto-pipeline does not carry
 * the scripts defined on a connection after it was made.
 */
export function duplicateForBlocking(redis: RedisConnection): RedisConnection {
  return redis instanceof Cluster
    ? redis.duplicate([], { enableAutoPipelining: false })
    : redis.duplicate({ enableAutoPipelining: false });
}
