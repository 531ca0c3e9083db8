// Queue handles for request handlers: one Queue object per name, made only once Redis is ready so
// no command waits in ioredis' offline queue, and only for names that exist when asked to check.
import { type GroupCommit, listQueues, partitionsFromEnv, Queue, registeredPartitions } from "@notify/queue";
import { EMAIL_EVENTS_QUEUE, EMAIL_QUEUE, SMS_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { type RedisConnection, waitUntilReady } from "./redis-guard.ts";

/** Queues the API always knows about, whether or not anything was pushed yet. */
export const BUILT_IN_QUEUES: readonly string[] = [EMAIL_QUEUE, SMS_QUEUE, EMAIL_EVENTS_QUEUE];

export interface QueueAccess {
  (name: string, options?: { mustExist?: boolean }): Promise<Queue>;
  /** The queue's group commit (@notify/queue), for option-less jobs on hot paths. */
  batcher(name: string): Promise<GroupCommit>;
}

/**
 * How long a handle's partition count is trusted before the registry is read again: a worker
 * that registers a count after the API opened the queue (QUEUE_PARTITIONS set on the workers
 * only) is followed within this, so enqueues spread and admin paths cover every partition.
 */
export const PARTITIONS_RECHECK_MS = 5_000;

export function createQueueAccess(
  redis: RedisConnection,
  timeoutMs: number,
  { recheckMs = PARTITIONS_RECHECK_MS }: { recheckMs?: number } = {},
): QueueAccess {
  const handles = new Map<string, { queue: Queue; checkedAt: number }>();
  const configured = partitionsFromEnv();
  const open = async (name: string) => {
    const cached = handles.get(name);
    if (cached && (configured.has(name) || Date.now() - cached.checkedAt < recheckMs)) return cached.queue;
    if (cached && (await registeredPartitions(redis, name)) === cached.queue.partitions.length) {
      cached.checkedAt = Date.now();
      return cached.queue;
    }
    // A partitioned queue is opened over its partitions, so the admin sees it summed and pushes
    // spread; QUEUE_PARTITIONS fixes the count (refused when Redis registered another).
    const opened = await Queue.open(name, { connection: redis });
    const raced = handles.get(name);
    if (raced && raced !== cached) return raced.queue;
    handles.set(name, { queue: opened, checkedAt: Date.now() });
    return opened;
  };
  const access = async (name: string, { mustExist = false }: { mustExist?: boolean } = {}) => {
    await waitUntilReady(redis, timeoutMs);
    if (mustExist && !handles.has(name) && !BUILT_IN_QUEUES.includes(name)) {
      const names = await listQueues(redis);
      if (!names.includes(name)) throw new TRPCError({ code: "NOT_FOUND", message: `unknown queue "${name}"` });
    }
    return open(name);
  };
  const batcher = async (name: string) => (await access(name)).groupCommit();
  return Object.assign(access, { batcher });
}

/** Built-in queues plus every queue the engine has seen, sorted. */
export async function allQueueNames(redis: RedisConnection): Promise<string[]> {
  return [...new Set([...BUILT_IN_QUEUES, ...(await listQueues(redis))])].sort();
}
