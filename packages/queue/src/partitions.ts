// Partitioned queues: one logical queue over N physical queues, each in a hash slot of its own, so
// one hot queue can use every master of a Redis Cluster. Every physical queue is a complete queue
// (pending list, leases, recovery, dead letters, stats), so every guarantee holds per partition.
//
// Names are computed, never stored: partition 0 is the logical name itself (an existing queue keeps
// its jobs when it becomes partitioned, and seed producers' `RPUSH queue:{email}` still lands), and
// partition i > 0 is `<name>.p<i>` (or `<name>.p<i>.<k>` for the smallest k that works), chosen so
// that the slot space cut into N equal ranges gives every partition a range of its own. A cluster
// whose masters own equal slot ranges (redis-cli --cluster create, most managed services) so gets
// the partitions on different masters. Every process computes the same names from (name, N).
/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from "cluster-key-slot";
import { assertQueueName } from "./keys.ts";

export const SLOTS = 16_384;
export const MAX_PARTITIONS = 64;
/** Room for `.p63.999` after the logical name within the 64-character queue-name limit. */
export const MAX_PARTITIONED_NAME = 56;
const MAX_SALT = 10_000;

/** The hash slot every key of physical queue `name` lives in (its keys share the tag `{name}`). */
export function slotOf(name: string): number {
  return calculateSlot(name);
}

export function assertPartitions(name: string, partitions: number): void {
  assertQueueName(name);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RangeError(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
  }
  if (partitions > 1 && name.length > MAX_PARTITIONED_NAME) {
    throw new TypeError(`a partitioned queue's name is at most ${MAX_PARTITIONED_NAME} characters: ${name}`);
  }
}

const rangeOf = (slot: number, partitions: number) => Math.floor((slot * partitions) / SLOTS);

/** The physical queue names of logical queue `name` over `partitions` slots, partition 0 first. */
export function partitionNames(name: string, partitions: number): string[] {
  assertPartitions(name, partitions);
  if (partitions === 1) return [name];
  const taken = new Set([rangeOf(slotOf(name), partitions)]);
  const free = Array.from({ length: partitions }, (_, range) => range).filter((range) => !taken.has(range));
  const names = [name];
  for (let i = 1; i < partitions; i++) {
    const target = free[i - 1] as number;
    let chosen: string | null = null;
    for (let salt = 0; salt < MAX_SALT && chosen === null; salt++) {
      const candidate = salt === 0 ? `${name}.p${i}` : `${name}.p${i}.${salt}`;
      if (rangeOf(slotOf(candidate), partitions) === target) chosen = candidate;
    }
    // Unreachable in practice (each try hits with probability 1/N); a name is still better than none.
    names.push(chosen ?? `${name}.p${i}`);
  }
  return names;
}

/** FNV-1a over the UTF-8 bytes: stable in every language, so foreign producers can route the same way. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The partition a routing key (a job id, an idempotency key or a caller's partition key) belongs
 * to: the same key always lands in the same partition, so de-duplication, exclusivity by id and
 * FIFO per key hold across the logical queue.
 */
export function partitionFor(routingKey: string, partitions: number): number {
  return partitions === 1 ? 0 : fnv1a(routingKey) % partitions;
}
