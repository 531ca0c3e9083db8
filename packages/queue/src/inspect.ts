// Finding jobs wherever they are: pending, active (in a worker's hands), delayed, dead, or in the
// recent history. Lists are walked in chunks, so a search over a deep queue is bounded.
import type { RedisConnection } from "./connection.ts";
import type { DeadLetter, DeadLetterQueue } from "./dlq.ts";
import { idOfRaw, type Job, parseRawJob, withBatchOfId } from "./job.ts";
import { TOO_LARGE_PREFIX_BYTES } from "./json-bounds.ts";
import type { QueueKeys } from "./keys.ts";

export type JobState = "pending" | "active" | "delayed" | "dead" | "completed";

export interface FoundJob {
  state: JobState;
  job: Job | null;
  raw: string;
  /** When delayed: when it is due. When completed: when it finished. When dead: when it failed. */
  at?: number;
  workerId?: string;
  error?: string;
  reason?: string;
  /** A dead letter's own id, which names it even when its payload has none (dlq.ts). */
  id?: string;
}

const CHUNK = 1_000;
/** How many pending jobs a search reads at most; the head of the queue is what people look for. */
const MAX_PENDING_SCANNED = 200_000;

/**
 * What inspection shows of a payload: unlike a worker, it parses jobs over the size limit (they
 * sit in the queue and must be seen and repaired), but never beyond a depth its callers could
 * not walk.
 */
const INSPECTION_LIMITS = { maxBytes: Number.POSITIVE_INFINITY, maxDepth: 5_000 };
function parsed(raw: string): Job | null {
  const result = parseRawJob(raw, INSPECTION_LIMITS);
  return result.ok ? result.job : null;
}

/** A history entry `{finishedAt, job}`, or null when it does not parse (it is only history). */
export function parseCompleted(entry: string): { job: Job; finishedAt: number } | null {
  try {
    const completed = JSON.parse(entry) as { job: Job; finishedAt: number };
    // The history holds the payload as it was claimed: a batch job's batch is in its id.
    if (typeof completed?.job === "object" && completed.job !== null) withBatchOfId(completed.job);
    return completed;
  } catch {
    return null;
  }
}

/** JSON of a parsed job, or `fallback` when it is nested too deep to serialize (raw writes can be). */
function stringifyOr(job: unknown, fallback: string): string {
  try {
    return JSON.stringify(job);
  } catch {
    return fallback;
  }
}

function fromCompleted(entry: string): FoundJob | null {
  const completed = parseCompleted(entry);
  return (
    completed && {
      state: "completed",
      job: completed.job,
      raw: stringifyOr(completed.job, entry),
      at: completed.finishedAt,
    }
  );
}

function fromDeadLetter(dead: DeadLetter): FoundJob {
  return {
    state: "dead",
    job: dead.job,
    raw: dead.raw ?? stringifyOr(dead.job, dead.entry),
    at: dead.failedAt,
    error: dead.error,
    reason: dead.reason,
    id: dead.id,
  };
}

/** Every job held by a live or not yet recovered worker, worker by worker. */
async function heldByWorkers(redis: RedisConnection, keys: QueueKeys): Promise<{ raw: string; workerId: string }[]> {
  const held: { raw: string; workerId: string }[] = [];
  for (const workerId of await redis.zrange(keys.workers, 0, -1)) {
    for (const raw of await redis.hvals(keys.active(workerId))) held.push({ raw, workerId });
    // A blocking pop's landing list holds at most one job, until the next claim takes it in.
    for (const raw of await redis.lrange(keys.landing(workerId), 0, -1)) held.push({ raw, workerId });
  }
  return held;
}

export async function peek(redis: RedisConnection, keys: QueueKeys, count: number): Promise<FoundJob[]> {
  const raw = await redis.lrange(keys.pending, 0, Math.max(0, count - 1));
  return raw.map((r) => ({ state: "pending", job: parsed(r), raw: r }));
}

/** Yields every job of the queue with its state; `matches` filters on the raw JSON cheaply before parsing. */
export async function* walkJobs(
  redis: RedisConnection,
  keys: QueueKeys,
  dlq: DeadLetterQueue,
  matches: (raw: string) => boolean,
): AsyncGenerator<FoundJob> {
  for (const { raw, workerId } of await heldByWorkers(redis, keys)) {
    if (matches(raw)) yield { state: "active", job: parsed(raw), raw, workerId };
  }
  for (let start = 0; start < MAX_PENDING_SCANNED; start += CHUNK) {
    const chunk = await redis.lrange(keys.pending, start, start + CHUNK - 1);
    for (const raw of chunk) if (matches(raw)) yield { state: "pending", job: parsed(raw), raw };
    if (chunk.length < CHUNK) break;
  }
  for (let start = 0; start < MAX_PENDING_SCANNED; start += CHUNK) {
    const chunk = await redis.zrange(keys.prioritized, start, start + CHUNK - 1);
    for (const raw of chunk) if (matches(raw)) yield { state: "pending", job: parsed(raw), raw };
    if (chunk.length < CHUNK) break;
  }
  for (let start = 0; ; start += CHUNK) {
    const chunk = await redis.zrange(keys.delayed, start, start + CHUNK - 1, "WITHSCORES");
    for (let i = 0; i < chunk.length; i += 2) {
      const raw = chunk[i] as string;
      if (matches(raw)) yield { state: "delayed", job: parsed(raw), raw, at: Number(chunk[i + 1]) };
    }
    if (chunk.length < CHUNK * 2) break;
  }
  for await (const dead of dlq.scan()) {
    if (matches(dead.entry)) yield fromDeadLetter(dead);
  }
  for (const entry of await redis.lrange(keys.completed, 0, -1)) {
    const found = matches(entry) ? fromCompleted(entry) : null;
    if (found) yield found;
  }
}

export async function findJob(
  redis: RedisConnection,
  keys: QueueKeys,
  dlq: DeadLetterQueue,
  id: string,
): Promise<FoundJob | null> {
  const needle = `"id":${JSON.stringify(id)}`;
  for await (const found of walkJobs(redis, keys, dlq, (raw) => raw.includes(needle))) {
    if ((found.job?.id ?? idOfRaw(found.raw.slice(0, TOO_LARGE_PREFIX_BYTES))) === id) return found;
  }
  // A dead letter whose payload carries no id is named by its entry's hash, not by any text in it.
  if (id.startsWith("raw-")) {
    const dead = await dlq.get(id);
    if (dead) return fromDeadLetter(dead);
  }
  return null;
}

export async function searchJobs(
  redis: RedisConnection,
  keys: QueueKeys,
  dlq: DeadLetterQueue,
  text: string,
  limit: number,
): Promise<FoundJob[]> {
  const needle = text.toLowerCase();
  const results: FoundJob[] = [];
  for await (const found of walkJobs(redis, keys, dlq, (raw) => raw.toLowerCase().includes(needle))) {
    results.push(found);
    if (results.length >= limit) break;
  }
  return results;
}

export interface JobPage {
  state: JobState;
  total: number;
  jobs: FoundJob[];
}

/**
 * One page of the jobs in one state, in the order they will run (pending: head first; delayed:
 * soonest first), or newest first (dead, completed). Active jobs are listed worker by worker.
 */
export async function listJobs(
  redis: RedisConnection,
  keys: QueueKeys,
  dlq: DeadLetterQueue,
  { state, offset = 0, limit = 50 }: { state: JobState; offset?: number; limit?: number },
): Promise<JobPage> {
  const end = offset + limit - 1;
  switch (state) {
    case "pending": {
      // The pending list first, then the prioritized lane: the order in which claims take them.
      const [listed, laned] = await Promise.all([redis.llen(keys.pending), redis.zcard(keys.prioritized)]);
      const raw = offset < listed ? await redis.lrange(keys.pending, offset, end) : [];
      if (raw.length < limit && laned > 0) {
        const from = Math.max(0, offset - listed);
        raw.push(...(await redis.zrange(keys.prioritized, from, from + limit - raw.length - 1)));
      }
      return { state, total: listed + laned, jobs: raw.map((r) => ({ state, job: parsed(r), raw: r })) };
    }
    case "delayed": {
      const [total, raw] = await Promise.all([
        redis.zcard(keys.delayed),
        redis.zrange(keys.delayed, offset, end, "WITHSCORES"),
      ]);
      const jobs: FoundJob[] = [];
      for (let i = 0; i < raw.length; i += 2) {
        const r = raw[i] as string;
        jobs.push({ state, job: parsed(r), raw: r, at: Number(raw[i + 1]) });
      }
      return { state, total, jobs };
    }
    case "dead": {
      const { total, entries } = await dlq.list({ offset, limit });
      return { state, total, jobs: entries.map(fromDeadLetter) };
    }
    case "completed": {
      const [total, raw] = await Promise.all([redis.llen(keys.completed), redis.lrange(keys.completed, offset, end)]);
      return { state, total, jobs: raw.flatMap((entry) => fromCompleted(entry) ?? []) };
    }
    case "active": {
      const held = await heldByWorkers(redis, keys);
      const page = held.slice(offset, offset + limit);
      return {
        state,
        total: held.length,
        jobs: page.map(({ raw, workerId }) => ({ state, job: parsed(raw), raw, workerId })),
      };
    }
    default: {
      const never: never = state;
      throw new TypeError(`unknown job state ${String(never)}`);
    }
  }
}
