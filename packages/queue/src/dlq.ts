// A queue's DLQ (Queue.dlq, key queue:{q}:dlq, `dlq` in the API and the CLI) and the dead
// letters it holds: list (paged, filtered by error), get, retry one (by id or index) / all / by error, delete,
// purge. Entries are JSON in a capped list, newest first; retry moves an entry back atomically.
import { createHash } from "node:crypto";
import type { RedisConnection } from "./connection.ts";
import { type Job, type ParseLimits, parseRawJob, serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import type { DeadLetterEntry } from "./outcomes.ts";
import { retryDeadLetter } from "./scripts.ts";

export interface DeadLetter extends DeadLetterEntry {
  /** The exact stored entry, used to remove it without races. */
  entry: string;
}

const SCAN_CHUNK = 500;

/** What retrying an edited raw dead letter did: the job's id, or why nothing was queued. */
export type EditedRetry = { ok: true; id: string } | { ok: false; error: string };

/**
 * The id of an entry that carries none of its own: a hash of the exact stored text, so it stays the
 * same across page loads and names only that entry (an edit makes a new entry, with a new id).
 */
export function rawDeadLetterId(entry: string): string {
  return `raw-${createHash("sha256").update(entry).digest("base64url").slice(0, 22)}`;
}

function parseEntry(entry: string): DeadLetter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry);
  } catch {
    parsed = undefined;
  }
  if (isEntryShape(parsed)) {
    const ownId = typeof parsed.id === "string" && parsed.id !== "" && parsed.id !== "unknown";
    return { ...parsed, id: ownId ? parsed.id : rawDeadLetterId(entry), entry };
  }
  // Written by another tool: keep it visible (and openable by its hash) rather than hide it.
  return {
    id: rawDeadLetterId(entry),
    reason: "invalid",
    error: "unreadable dead-letter entry",
    attempts: 0,
    failedAt: 0,
    queue: "",
    job: null,
    raw: entry,
    entry,
  };
}

function isEntryShape(value: unknown): value is DeadLetterEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.reason === "string" &&
    typeof v.error === "string" &&
    typeof v.attempts === "number" &&
    typeof v.failedAt === "number" &&
    typeof v.queue === "string" &&
    (v.job === null || (typeof v.job === "object" && !Array.isArray(v.job))) &&
    (v.raw === undefined || typeof v.raw === "string")
  );
}

export class DeadLetterQueue {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
  ) {}

  count(): Promise<number> {
    return this.redis.llen(this.keys.dlq);
  }

  /** Newest first. With `error`, only entries whose error contains that text (case-insensitive). */
  async list({
    offset = 0,
    limit = 50,
    error,
  }: {
    offset?: number;
    limit?: number;
    error?: string;
  } = {}): Promise<{ total: number; entries: DeadLetter[] }> {
    if (!error) {
      const [total, raw] = await Promise.all([
        this.count(),
        this.redis.lrange(this.keys.dlq, offset, offset + limit - 1),
      ]);
      return { total, entries: raw.map(parseEntry) };
    }
    const needle = error.toLowerCase();
    const matches: DeadLetter[] = [];
    let total = 0;
    for await (const entry of this.scan()) {
      if (!entry.error.toLowerCase().includes(needle)) continue;
      if (total >= offset && matches.length < limit) matches.push(entry);
      total++;
    }
    return { total, entries: matches };
  }

  async get(id: string): Promise<DeadLetter | null> {
    for await (const entry of this.scan()) if (entry.id === id) return entry;
    return null;
  }

  /** Puts the job back at the end of the pending list with a fresh attempt count. */
  async retry(id: string): Promise<boolean> {
    const found = await this.get(id);
    return found ? this.retryEntry(found) : false;
  }

  /**
   * Retries the dead letter at `index` (0 = newest), as seed 004's retry_dead_letter_job(queue,
   * index) and the Python client do. False when there is none there, or another retry took it.
   */
  async retryAt(index: number): Promise<DeadLetter | null> {
    if (!Number.isInteger(index) || index < 0) return null;
    const entry = await this.redis.lindex(this.keys.dlq, index);
    if (entry === null) return null;
    const dead = parseEntry(entry);
    return (await this.retryEntry(dead)) ? dead : null;
  }

  async retryAll({ error }: { error?: string } = {}): Promise<number> {
    const needle = error?.toLowerCase();
    let retried = 0;
    // Snapshot first: retried entries leave the list while we walk it.
    const entries: DeadLetter[] = [];
    for await (const entry of this.scan())
      if (!needle || entry.error.toLowerCase().includes(needle)) entries.push(entry);
    for (const entry of entries) if (await this.retryEntry(entry)) retried++;
    return retried;
  }

  /**
   * Retries a dead letter with `raw` (the operator's fix) as its job, and only if `raw` now parses
   * as a job envelope: the exact stored entry is removed and the job queued in one script, so a
   * concurrent retry or delete of the same entry makes this a no-op.
   */
  async retryEdited(id: string, raw: string, limits: ParseLimits = {}): Promise<EditedRetry> {
    const found = await this.get(id);
    if (!found) return { ok: false, error: `no dead letter ${id}` };
    const parsed = parseRawJob(raw, limits);
    if (!parsed.ok) return { ok: false, error: `not queued, still not a job: ${parsed.reason}` };
    const job = freshAttempts(parsed.job);
    const moved = await retryDeadLetter(this.redis, {
      dlq: this.keys.dlq,
      pending: this.keys.pending,
      stats: this.keys.stats,
      entry: found.entry,
      payload: serializeJob(job),
    });
    return moved
      ? { ok: true, id: job.id }
      : { ok: false, error: `dead letter ${id} was retried or deleted meanwhile` };
  }

  async delete(id: string): Promise<boolean> {
    const found = await this.get(id);
    if (!found) return false;
    return (await this.redis.lrem(this.keys.dlq, 1, found.entry)) === 1;
  }

  async purge(): Promise<number> {
    const [[, count] = [null, 0]] = (await this.redis.multi().llen(this.keys.dlq).del(this.keys.dlq).exec()) ?? [];
    return Number(count);
  }

  private async retryEntry(dead: DeadLetter): Promise<boolean> {
    const payload = dead.job ? JSON.stringify(freshAttempts(dead.job)) : dead.raw;
    // A raw payload that never parsed goes back verbatim; it will fail again unless fixed at the source.
    if (payload === undefined) return false;
    return retryDeadLetter(this.redis, {
      dlq: this.keys.dlq,
      pending: this.keys.pending,
      stats: this.keys.stats,
      entry: dead.entry,
      payload,
    });
  }

  async *scan(): AsyncGenerator<DeadLetter> {
    for (let start = 0; ; start += SCAN_CHUNK) {
      const chunk = await this.redis.lrange(this.keys.dlq, start, start + SCAN_CHUNK - 1);
      for (const entry of chunk) yield parseEntry(entry);
      if (chunk.length < SCAN_CHUNK) return;
    }
  }
}

/**
 * A new round of attempts; the runs before it are kept in `priorAttempts` (and the last error in
 * the dead-letter history of the message log), so a job's history survives the retry.
 */
function freshAttempts(job: Job): Job {
  const { lastError: _lastError, failedAt: _failedAt, ...rest } = job;
  const prior = typeof job.priorAttempts === "number" ? job.priorAttempts : 0;
  return { ...rest, attempts: 0, priorAttempts: prior + job.attempts, retriedFromDeadLetterAt: Date.now() };
}
