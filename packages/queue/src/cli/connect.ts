// Opens the CLI's Redis connection: fail fast (no reconnect loop), and turn the many ways a
// connection fails into one sentence that says what is wrong and what to try (seed 001's check).
import { createRedis, DEFAULT_SENTINEL_NAME, parseNodes, type RedisConnection, redisUrlFromEnv } from "../index.ts";
import { CliError } from "./errors.ts";

/** The embedded server scripts/redis.mjs runs when REDIS_URL is not set (port 6390 unless NOTIFY_REDIS_PORT). */
export function embeddedRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `redis://127.0.0.1:${env.NOTIFY_REDIS_PORT?.trim() || 6390}`;
}

export interface Target {
  url: string;
  /** The URL with any password replaced, safe to print. */
  shown: string;
  embedded: boolean;
  cluster: boolean;
  sentinel: boolean;
}

export function connectionTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const given = redisUrlFromEnv(env);
  const url = given || embeddedRedisUrl(env);
  const cluster = env.REDIS_CLUSTER_NODES?.trim();
  // The same precedence as createRedis: a cluster list wins over a sentinel list.
  const sentinels = cluster ? "" : env.REDIS_SENTINELS?.trim();
  const shown = cluster
    ? `cluster ${cluster} (auth and TLS from ${redactUrl(url)})`
    : sentinels
      ? `sentinels ${sentinels} (master ${sentinelName(env)}; auth, db and TLS from ${redactUrl(url)})`
      : redactUrl(url);
  return {
    url,
    shown,
    embedded: !given && !cluster && !sentinels,
    cluster: Boolean(cluster),
    sentinel: Boolean(sentinels),
  };
}

function sentinelName(env: NodeJS.ProcessEnv): string {
  return env.REDIS_SENTINEL_NAME?.trim() || DEFAULT_SENTINEL_NAME;
}

export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)([^@/]*)@/, (_, scheme: string, auth: string) =>
    auth.includes(":") ? `${scheme}${auth.split(":")[0]}:***@` : `${scheme}***@`,
  );
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  return typeof e?.code === "string" ? e.code : "";
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Explains a connection failure in one line; `error` is the most specific error ioredis reported. */
export function describeConnectionError(error: unknown, target: Target, timeoutMs: number): string {
  const code = errorCode(error);
  const message = errorText(error);
  const where = target.shown;
  const tls = target.url.startsWith("rediss://");
  if (code === "ECONNREFUSED") {
    const hint = target.embedded
      ? "start the embedded server with `node scripts/redis.mjs start` or set REDIS_URL"
      : "is redis-server running there, and is the port right?";
    return `connection refused by ${where}: ${hint}`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || /getaddrinfo/.test(message)) {
    return `DNS lookup failed for the host of ${where} (${code || message}): check the host name in REDIS_URL`;
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return `authentication failed at ${where}: wrong password or user in REDIS_URL (${message})`;
  }
  if (/NOAUTH|Authentication required/i.test(message)) {
    return `authentication required by ${where}: put the password in REDIS_URL, e.g. redis://:password@host:port`;
  }
  if (
    /TLS|SSL|certificate|wrong version number|secure/i.test(message) ||
    code.startsWith("ERR_TLS") ||
    code.startsWith("ERR_SSL")
  ) {
    return tls
      ? `TLS handshake with ${where} failed (${message}): is the port TLS-enabled and the certificate valid?`
      : `TLS error from ${where} (${message}): use rediss:// for a TLS port`;
  }
  if (/Protocol error/i.test(message)) {
    return `${where} did not answer in the Redis protocol (${message}): is this a Redis port?`;
  }
  // ioredis' cluster client hides each node's own error behind these.
  if (target.sentinel && /All sentinels are unreachable|sentinel/i.test(message)) {
    return `no sentinel of ${where} gave the master's address: check REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_SENTINEL_PASSWORD, and that the sentinels run`;
  }
  if (target.cluster && /None of startup nodes|refresh slots cache|Connection is closed/i.test(message)) {
    return `no node of ${where} answered: check REDIS_CLUSTER_NODES, that the nodes run, and the password/TLS in REDIS_URL`;
  }
  if (code === "ETIMEDOUT" || /timed? ?out/i.test(message)) {
    const hint = tls
      ? "a rediss:// URL pointing at a plain (non-TLS) port never completes the handshake; try redis://"
      : "a firewall, the wrong port, or a TLS-only server reached with redis:// (try rediss://)";
    return `no answer from ${where} within ${timeoutMs} ms: ${hint}`;
  }
  if (code === "ECONNRESET" || /Connection is closed|socket hang up|disconnected/i.test(message)) {
    const hint = tls ? "is the port TLS-enabled?" : "a TLS-only server reached with redis:// does this; try rediss://";
    return `${where} closed the connection (${message}): ${hint}`;
  }
  return `cannot use Redis at ${where}: ${message}`;
}

export interface OpenOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Connects and proves the server answers; throws a CliError with the explanation otherwise. */
export async function openRedis({ timeoutMs = 5_000, env = process.env }: OpenOptions = {}): Promise<{
  redis: RedisConnection;
  target: Target;
}> {
  const target = connectionTarget(env);
  let redis: RedisConnection;
  try {
    redis = createRedis(target.url, {
      clusterNodes: parseNodes(env.REDIS_CLUSTER_NODES, "REDIS_CLUSTER_NODES"),
      sentinelNodes: parseNodes(env.REDIS_SENTINELS, "REDIS_SENTINELS"),
      sentinelName: sentinelName(env),
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined,
      lazyConnect: true,
      // A CLI reports and exits: no reconnect loop, no queued commands waiting for a server that is down.
      retryStrategy: () => null,
      // Through sentinels: ask each once, then report.
      sentinelRetryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // Used only when REDIS_CLUSTER_NODES selects a cluster: the same fail-fast behaviour there.
      clusterOptions: { lazyConnect: true, clusterRetryStrategy: () => null },
    });
  } catch (error) {
    throw new CliError(`invalid Redis settings ${target.shown}: ${errorText(error)}`);
  }
  let lastError: unknown = null;
  redis.on("error", (error: unknown) => {
    lastError = error;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })), timeoutMs);
  });
  try {
    const connected = redis.status === "wait" ? redis.connect() : Promise.resolve();
    await Promise.race([connected.then(() => redis.ping()), timeout]);
  } catch (error) {
    redis.disconnect();
    // ioredis rejects with a generic "Connection is closed"; the error event carries the cause.
    const cause = lastError && /Connection is closed/.test(errorText(error)) ? lastError : error;
    throw new CliError(describeConnectionError(cause, target, timeoutMs));
  } finally {
    clearTimeout(timer);
  }
  return { redis, target };
}

export async function closeRedis(redis: RedisConnection): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
