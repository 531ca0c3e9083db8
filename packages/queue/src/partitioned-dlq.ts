// The dead letters of a partitioned queue, read and repaired as one list: every partition keeps
// its own dead-letter list (a retried job goes back to the partition it died in, so its id keeps
// its partition), and this walks them end to end, partition 0 first.
import type { RedisConnection } from "./connection.ts";
import { type DeadLetter, DeadLetterQueue, type EditedRetry } from "./dlq.ts";
import type { ParseLimits } from "./job.ts";
import type { QueueKeys } from "./keys.ts";

export class PartitionedDeadLetters extends DeadLetterQueue {
  constructor(
    redis: RedisConnection,
    keys: QueueKeys,
    private readonly parts: readonly DeadLetterQueue[],
  ) {
    super(redis, keys);
  }

  override async count(): Promise<number> {
    return (await Promise.all(this.parts.map((part) => part.count()))).reduce((sum, n) => sum + n, 0);
  }

  override async list(
    options: { offset?: number; limit?: number; error?: string } = {},
  ): Promise<{ total: number; entries: DeadLetter[] }> {
    const limit = options.limit ?? 50;
    let skip = Math.max(0, options.offset ?? 0);
    const error = options.error;
    const totals = (await Promise.all(this.parts.map((part) => part.list({ limit: 1, error })))).map((l) => l.total);
    const entries: DeadLetter[] = [];
    for (const [i, part] of this.parts.entries()) {
      const total = totals[i] ?? 0;
      if (skip >= total) {
        skip -= total;
        continue;
      }
      if (entries.length >= limit) break;
      entries.push(...(await part.list({ offset: skip, limit: limit - entries.length, error })).entries);
      skip = 0;
    }
    return { total: totals.reduce((sum, t) => sum + t, 0), entries };
  }

  override async get(id: string): Promise<DeadLetter | null> {
    for (const found of await Promise.all(this.parts.map((part) => part.get(id)))) if (found) return found;
    return null;
  }

  override async retry(id: string): Promise<boolean> {
    return (await Promise.all(this.parts.map((part) => part.retry(id)))).some(Boolean);
  }

  override async retryAll(options: { error?: string } = {}): Promise<number> {
    return (await Promise.all(this.parts.map((part) => part.retryAll(options)))).reduce((sum, n) => sum + n, 0);
  }

  /** The edited job goes back to the partition its entry died in, like any retry. */
  override async retryEdited(id: string, raw: string, limits: ParseLimits = {}): Promise<EditedRetry> {
    for (const part of this.parts) if (await part.get(id)) return part.retryEdited(id, raw, limits);
    return { ok: false, error: `no dead letter ${id}` };
  }

  override async delete(id: string): Promise<boolean> {
    return (await Promise.all(this.parts.map((part) => part.delete(id)))).some(Boolean);
  }

  override async purge(): Promise<number> {
    return (await Promise.all(this.parts.map((part) => part.purge()))).reduce((sum, n) => sum + n, 0);
  }

  override async *scan(): AsyncGenerator<DeadLetter> {
    for (const part of this.parts) yield* part.scan();
  }
}
