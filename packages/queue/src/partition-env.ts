// QUEUE_PARTITIONS: one rule for every process of a deployment (API, workers, CLI), e.g.
// `email=3,sms=2`, so the processes sharing one .env agree on each queue's partition count. A queue
// it does not name follows the count registered in Redis (partition-registry.ts), 1 when none is.

import type { RedisConnection } from "./connection.ts";
import { errorMessage } from "./errors.ts";
import { partitionsKey } from "./keys.ts";
import { PartitionCountError, registeredPartitions } from "./partition-registry.ts";
import { assertPartitions } from "./partitions.ts";

export const PARTITIONS_VARIABLE = "QUEUE_PARTITIONS";

/** The counts QUEUE_PARTITIONS names, by queue; throws naming the variable when it is malformed. */
export function partitionsFromEnv(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, number> {
  const counts = new Map<string, number>();
  const text = env[PARTITIONS_VARIABLE]?.trim() ?? "";
  if (text === "") return counts;
  for (const entry of text.split(",")) {
    const [name = "", count = "", extra] = entry.split("=").map((part) => part.trim());
    try {
      if (extra !== undefined || !/^\d+$/.test(count)) throw new TypeError(`"${entry.trim()}" is not queue=count`);
      assertPartitions(name, Number(count));
      if (counts.has(name)) throw new TypeError(`${name} is named twice`);
    } catch (error) {
      throw new RangeError(`${PARTITIONS_VARIABLE}: ${errorMessage(error)} (expected e.g. email=3,sms=2)`);
    }
    counts.set(name, Number(count));
  }
  return counts;
}

/** The QUEUE_PARTITIONS problem as one line, or null; for an entry point's start-up check. */
export function partitionsEnvironmentProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    partitionsFromEnv(env);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

/**
 * How many partitions a process should use for `name`: QUEUE_PARTITIONS's count when it names the
 * queue, else the registered one. A configured count that another process registered differently
 * is refused with PartitionCountError before anything is pushed or claimed.
 */
export async function resolvePartitions(
  redis: RedisConnection,
  name: string,
  options: { env?: NodeJS.ProcessEnv; prefix?: string } = {},
): Promise<number> {
  const configured = partitionsFromEnv(options.env).get(name);
  if (configured === undefined) return registeredPartitions(redis, name, options.prefix);
  const registered = await redis.hget(partitionsKey(options.prefix), name);
  // Nothing registered is one partition only for a queue that never was partitioned: with a count
  // configured, the first producer or worker registers it.
  if (registered !== null && Number(registered) !== configured)
    throw new PartitionCountError(name, Number(registered), configured);
  return configured;
}
