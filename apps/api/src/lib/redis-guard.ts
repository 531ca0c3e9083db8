// Bounded Redis access for request handlers. ioredis would otherwise queue commands while it
// reconnects and a request could hang for as long as Redis is down. Here a request either gets
// its answer within the bound or a RedisUnavailableError the API turns into 503.
//
// A command that was already written to the socket when the bound passed may still complete later
// (ioredis re-sends it after reconnecting): callers retry with an idempotency key, never blind.
import type { RedisConnection } from "@notify/queue";

export type { RedisConnection };

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

export function waitUntilReady(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  if (redis.status === "end") return Promise.reject(new RedisUnavailableError("redis connection closed"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopWaiting();
      reject(new RedisUnavailableError(`redis not reachable within ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const stopWaiting = onNextReady(redis, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Every request that arrives during an outage waits for the same reconnect: one "ready" listener
// per connection, not one per request (thousands a second would each add one). A request that
// gives up leaves the set, so a long outage holds nothing for it.
const waitersOf = new WeakMap<RedisConnection, Set<() => void>>();
function onNextReady(redis: RedisConnection, wake: () => void): () => void {
  const waiters = waitersOf.get(redis) ?? waitForReconnect(redis);
  waiters.add(wake);
  return () => waiters.delete(wake);
}

function waitForReconnect(redis: RedisConnection): Set<() => void> {
  const waiters = new Set<() => void>();
  waitersOf.set(redis, waiters);
  redis.once("ready", () => {
    waitersOf.delete(redis);
    for (const waiter of waiters) waiter();
  });
  return waiters;
}

/** Error messages ioredis uses when a command could not reach the server. */
// Transient: the server is away, loading, or mid-failover (a write that reached a node just turned
// replica, a replica cut off from its master, too few replicas for min-replicas-to-write).
const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|max retries per request|Stream isn't writeable|enableOfflineQueue|LOADING|CLUSTERDOWN|READONLY|MASTERDOWN|NOREPLICAS|TRYAGAIN/i;
// A Cluster whose slot map is in flux: still redirected after the engine's retries, ioredis unable
// to refresh the map or reach any node, or WAIT sent to a master just turned replica.
const CLUSTER_IN_FLUX =
  /\b(MOVED|ASK) \d+ |Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster is disconnect|Node is disconnected|WAIT cannot be used with replica/;

export function isConnectionError(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  // NotReplicatedError: durable pushes (REDIS_WAIT_REPLICAS) with no replica to confirm them.
  return (
    error.name === "MaxRetriesPerRequestError" ||
    error.name === "NotReplicatedError" ||
    CONNECTION_ERRORS.test(error.message) ||
    CLUSTER_IN_FLUX.test(error.message)
  );
}

/**
 * Runs `work`, failing with RedisUnavailableError when it takes longer than `timeoutMs` or fails
 * because Redis could not be reached.
 */
export async function withDeadline<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisUnavailableError(`redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), deadline]);
  } catch (error) {
    if (isConnectionError(error) && !(error instanceof RedisUnavailableError)) {
      throw new RedisUnavailableError(error instanceof Error ? error.message : String(error));
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
