// Search over the message log: newest first, paged, with the number that matched. One criterion
// (or none) is answered from its index with an exact total; several read the most specific index
// and check the rest on each candidate, up to MAX_SCANNED of them.
import type { RedisConnection } from "../connection.ts";
import { MESSAGE_INDEXES, messageKeys } from "./message-keys.ts";
import { decodeSummary, indexValue, type MessageSummary } from "./message-log.ts";

/** Candidates a search with several criteria reads at most; beyond it the total is a lower bound. */
const MAX_SCANNED = 10_000;

export interface MessageSearch {
  jobId?: string;
  to?: string;
  idempotencyKey?: string;
  providerMessageId?: string;
  batchId?: string;
  template?: string;
  /** Only this tenant's messages (a service key's caller); undefined for the admin. */
  tenant?: string;
  /** Enqueued at or after / before (ms). */
  from?: number;
  until?: number;
  offset?: number;
  limit?: number;
}

export interface MessagePage {
  total: number;
  /** False when more candidates matched than a search reads: the total is then at least this. */
  exact: boolean;
  messages: MessageSummary[];
}

/**
 * Newest first. One criterion (or none) is answered from its index with an exact total; several
 * read the most specific index and check the rest on each candidate, up to MAX_SCANNED of them.
 */
export async function searchMessages(redis: RedisConnection, search: MessageSearch): Promise<MessagePage> {
  const keys = messageKeys();
  const offset = search.offset ?? 0;
  const limit = search.limit ?? 50;
  const criteria = MESSAGE_INDEXES.flatMap((field) => (search[field] ? [[field, search[field]] as const] : []));
  if (search.jobId) {
    const found = await redis.hgetall(keys.message(search.jobId));
    const summary = Object.keys(found).length > 0 ? decodeSummary(found) : null;
    const matches = summary && matchesAll(summary, search) ? [summary] : [];
    return { total: matches.length, exact: true, messages: matches.slice(offset, offset + limit) };
  }
  const max = search.until ?? "+inf";
  const min = search.from ?? "-inf";
  const [first] = criteria;
  const source = first ? keys.index(first[0], indexValue(first[1])) : keys.all;
  if (criteria.length <= 1) {
    const [total, ids] = await Promise.all([
      redis.zcount(source, min, max),
      redis.zrevrangebyscore(source, max, min, "LIMIT", offset, limit),
    ]);
    const messages = await summaries(redis, ids);
    return { total, exact: true, messages: messages.flatMap((m) => m ?? []) };
  }
  const ids = await redis.zrevrangebyscore(source, max, min, "LIMIT", 0, MAX_SCANNED);
  const matched: MessageSummary[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    for (const summary of await summaries(redis, ids.slice(start, start + 500)))
      if (summary && matchesAll(summary, search)) matched.push(summary);
  }
  return {
    total: matched.length,
    exact: ids.length < MAX_SCANNED,
    messages: matched.slice(offset, offset + limit),
  };
}

/** The newest logged message a provider's id names (an SMS delivery report often carries only that). */
export async function messageIdByProviderId(redis: RedisConnection, providerMessageId: string): Promise<string | null> {
  const index = messageKeys().index("providerMessageId", indexValue(providerMessageId));
  const [id] = await redis.zrevrange(index, 0, 0);
  return id ?? null;
}

function matchesAll(summary: MessageSummary, search: MessageSearch): boolean {
  for (const field of MESSAGE_INDEXES) {
    const wanted = search[field];
    if (wanted && indexValue(summary[field] ?? "") !== indexValue(wanted)) return false;
  }
  if (search.from !== undefined && summary.enqueuedAt < search.from) return false;
  if (search.until !== undefined && summary.enqueuedAt > search.until) return false;
  return true;
}

async function summaries(redis: RedisConnection, ids: string[]): Promise<(MessageSummary | null)[]> {
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(messageKeys().message(id));
  const results = (await pipeline.exec()) ?? [];
  // An id whose record expired is skipped; the next prune drops it from the time index.
  return results.map(([, fields]) => {
    const record = fields as Record<string, string> | null;
    return record && Object.keys(record).length > 0 ? decodeSummary(record) : null;
  });
}
