// Dead-letter utilities: list (paged, filtered by error), get, retry one / all / by error, delete,
// purge. Entries are JSON in a capped list, newest first; retry moves an entry back atomically.
import type { RedisConnection } from "./connection.ts";
import type { Job } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import type { DeadLetterEntry } from "./outcomes.ts";
import { retryDeadLetter } from "./scripts.ts";

export interface DeadLetter extends DeadLetterEntry {
  /** The exact stored entry, used to remove it without races. */
  entry: string;
}

const SCAN_CHUNK = 500;

function parseEntry(entry: string): DeadLetter {
  try {
    const parsed = JSON.parse(entry) as DeadLetterEntry;
    return { ...parsed, entry };
  } catch {
    // Written by another tool: keep it visible rather than hide it.
    return {
      id: "unknown",
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
}

export class DeadLetters {
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

function freshAttempts(job: Job): Job {
  const { lastError: _lastError, failedAt: _failedAt, ...rest } = job;
  return { ...rest, attempts: 0, retriedFromDeadLetterAt: Date.now() };
}
