// Queue handles for request handlers: one Queue object per name, made only once Redis is ready so
// no command waits in ioredis' offline queue, and only for names that exist when asked to check.
import { listQueues, Queue } from "@notify/queue";
import { EMAIL_EVENTS_QUEUE, EMAIL_QUEUE, SMS_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { PushBatcher } from "./push-batcher.ts";
import { type RedisConnection, waitUntilReady } from "./redis-guard.ts";

/** Queues the API always knows about, whether or not anything was pushed yet. */
export const BUILT_IN_QUEUES: readonly string[] = [EMAIL_QUEUE, SMS_QUEUE, EMAIL_EVENTS_QUEUE];

export interface QueueAccess {
  (name: string, options?: { mustExist?: boolean }): Promise<Queue>;
  /** The group-commit pusher of a queue, for option-less jobs on hot paths. */
  batcher(name: string): Promise<PushBatcher>;
}

export function createQueueAccess(redis: RedisConnection, timeoutMs: number): QueueAccess {
  const handles = new Map<string, Queue>();
  const batchers = new Map<string, PushBatcher>();
  const access = async (name: string, { mustExist = false }: { mustExist?: boolean } = {}) => {
    await waitUntilReady(redis, timeoutMs);
    if (mustExist && !handles.has(name) && !BUILT_IN_QUEUES.includes(name)) {
      const names = await listQueues(redis);
      if (!names.includes(name)) throw new TRPCError({ code: "NOT_FOUND", message: `unknown queue "${name}"` });
    }
    let queue = handles.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redis });
      handles.set(name, queue);
    }
    return queue;
  };
  const batcher = async (name: string) => {
    await waitUntilReady(redis, timeoutMs);
    let found = batchers.get(name);
    if (!found) {
      found = new PushBatcher(redis, name);
      batchers.set(name, found);
    }
    return found;
  };
  return Object.assign(access, { batcher });
}

/** Built-in queues plus every queue the engine has seen, sorted. */
export async function allQueueNames(redis: RedisConnection): Promise<string[]> {
  return [...new Set([...BUILT_IN_QUEUES, ...(await listQueues(redis))])].sort();
}
