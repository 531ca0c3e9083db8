// Redis connections. REDIS_URL may be redis:// or rediss:// and may carry a password;
// REDIS_CLUSTER_NODES (host:port,host:port) selects Redis Cluster instead.
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

export type RedisConnection = Redis | Cluster;

/** The embedded server `npm start` runs (scripts/redis.mjs): its own port, never 6379. */
export const DEFAULT_REDIS_URL = `redis://127.0.0.1:${process.env.NOTIFY_REDIS_PORT ?? 6390}`;

export interface CreateRedisOptions extends RedisOptions {
  /** host:port list; when set, a Cluster client is made instead. */
  clusterNodes?: string[];
  clusterOptions?: ClusterOptions;
}

export function createRedis(
  url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
  options: CreateRedisOptions = {},
): RedisConnection {
  const { clusterNodes = parseNodes(process.env.REDIS_CLUSTER_NODES), clusterOptions, ...redisOptions } = options;
  const base: RedisOptions = {
    connectTimeout: 5_000,
    // Reconnect forever with a capped delay: workers must come back by themselves after an outage.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    ...redisOptions,
  };
  if (clusterNodes.length > 0) {
    const parsed = new URL(url.includes("://") ? url : `redis://${url}`);
    const auth = parsed.password
      ? { password: decodeURIComponent(parsed.password), username: parsed.username || undefined }
      : {};
    return new Cluster(
      clusterNodes.map((node) => {
        const [host, port] = node.split(":");
        return { host: host ?? "127.0.0.1", port: Number(port ?? 6379) };
      }),
      { ...clusterOptions, redisOptions: { ...base, ...auth, ...(parsed.protocol === "rediss:" ? { tls: {} } : {}) } },
    );
  }
  return new Redis(url, base);
}

function parseNodes(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}
