// An operator's hand on one waiting job (issue 15, item 4): delete one pending or delayed job, or
// run a delayed one (a scheduled job or a retry waiting out its backoff) now. Jobs are found by
// their envelope id, reading the list or set in bounded chunks; the change itself is one atomic
// Redis command on the exact stored text, so a job a worker claimed or promoted meanwhile is
// simply not found (false), never duplicated.
import type { RedisConnection } from "./connection.ts";
import type { QueueKeys } from "./keys.ts";
import { promoteDelayed } from "./scripts.ts";

/** How far into a list or set a lookup reads: an id deeper than this is reported as not found. */
export const FIND_LIMIT = 20_000;
const CHUNK = 500;
/** Above this a stored job is not JSON-parsed for its id; its id is read from the text's start. */
const PARSE_BYTES = 256 * 1024;

export function idOfStored(raw: string): string | null {
  if (raw.length <= PARSE_BYTES) {
    try {
      const job = JSON.parse(raw) as { id?: unknown } | null;
      return job && typeof job.id === "string" ? job.id : null;
    } catch {
      return null;
    }
  }
  return /^\{\s*"id"\s*:\s*"([^"\\]{1,200})"/.exec(raw.slice(0, 400))?.[1] ?? null;
}

async function findStored(
  redis: RedisConnection,
  keys: QueueKeys,
  state: "pending" | "delayed",
  id: string,
): Promise<string | null> {
  for (let start = 0; start < FIND_LIMIT; start += CHUNK) {
    const end = start + CHUNK - 1;
    const chunk =
      state === "pending" ? await redis.lrange(keys.pending, start, end) : await redis.zrange(keys.delayed, start, end);
    for (const raw of chunk) if (idOfStored(raw) === id) return raw;
    if (chunk.length < CHUNK) return null;
  }
  return null;
}

/** Deletes one pending or delayed job by id; false when it is not (or no longer) waiting there. */
export async function removeWaitingJob(
  redis: RedisConnection,
  keys: QueueKeys,
  options: { state: "pending" | "delayed"; id: string },
): Promise<boolean> {
  const raw = await findStored(redis, keys, options.state, options.id);
  if (raw === null) return false;
  const removed =
    options.state === "pending" ? await redis.lrem(keys.pending, 1, raw) : await redis.zrem(keys.delayed, raw);
  return removed > 0;
}

/**
 * Makes one delayed job due now and promotes it: its score drops to 0 only if it is still in the
 * set (ZADD XX), then the engine's own promotion script moves every due job to pending in one
 * step, exactly as a worker would. False when the job is not (or no longer) delayed.
 */
export async function promoteDelayedJob(redis: RedisConnection, keys: QueueKeys, id: string): Promise<boolean> {
  const raw = await findStored(redis, keys, "delayed", id);
  if (raw === null) return false;
  const changed = await redis.zadd(keys.delayed, "XX", "CH", 0, raw);
  if (Number(changed) === 0 && (await redis.zscore(keys.delayed, raw)) === null) return false;
  await promoteDelayed(redis, {
    delayed: keys.delayed,
    pending: keys.pending,
    prioritized: keys.prioritized,
    now: Date.now(),
    limit: 1_000,
  });
  return true;
}
