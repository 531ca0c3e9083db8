// Which queues are partitioned and over how many slots, so code that knows a queue only by name
// (the API, the CLI, the admin through the API) sees the logical queue. The count is fixed by the
// first producer or worker that registers it: partition names depend on it (partitions.ts), so a
// process with another count would push to or consume from queues nobody else serves.
import type { RedisConnection } from "./connection.ts";
import { partitionsKey, registryKey } from "./keys.ts";
import { assertPartitions, partitionNames } from "./partitions.ts";

export class PartitionCountError extends Error {
  constructor(name: string, registered: number, wanted: number) {
    super(
      `queue ${name} is registered with ${registered} partitions, not ${wanted}: every producer and worker of a queue must use the same count (docs/scaling.md: changing it)`,
    );
    this.name = "PartitionCountError";
  }
}

export async function registerPartitions(
  redis: RedisConnection,
  name: string,
  partitions: number,
  prefix?: string,
): Promise<void> {
  assertPartitions(name, partitions);
  await redis.sadd(registryKey(prefix), name);
  await redis.hsetnx(partitionsKey(prefix), name, partitions);
  const registered = Number((await redis.hget(partitionsKey(prefix), name)) ?? partitions);
  if (registered !== partitions) throw new PartitionCountError(name, registered, partitions);
}

/** The registered partition count of `name`, 1 when it is not partitioned. */
export async function registeredPartitions(redis: RedisConnection, name: string, prefix?: string): Promise<number> {
  const count = Number((await redis.hget(partitionsKey(prefix), name)) ?? 1);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** Queue names as people know them: a partitioned queue's other partitions are folded into it. */
export async function logicalQueueNames(redis: RedisConnection, prefix?: string): Promise<string[]> {
  const [names, counts] = await Promise.all([
    redis.smembers(registryKey(prefix)),
    redis.hgetall(partitionsKey(prefix)),
  ]);
  const hidden = new Set<string>();
  for (const [name, count] of Object.entries(counts)) {
    try {
      for (const physical of partitionNames(name, Number(count)).slice(1)) hidden.add(physical);
    } catch {
      // A hand-edited count that is not a valid one: show every physical queue instead of failing.
    }
  }
  return names.filter((name) => !hidden.has(name)).sort();
}
