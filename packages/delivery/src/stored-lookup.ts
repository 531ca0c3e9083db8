// Which stored template a job of a given name uses, read through a short in-process cache: every
// email and SMS job asks, and nearly all of them name a built-in with no stored override, so a
// Redis round trip per job would be waste. A publish or rollback reaches the workers within
// LIVE_TEMPLATE_TTL_MS.
import type { RedisConnection } from "@notify/queue";
import { type LiveTemplate, liveTemplate, type StoredChannel } from "@notify/queue/notifications";

export const LIVE_TEMPLATE_TTL_MS = 2_000;
/** Names remembered at once; names are bounded by the store's own cap, this bounds junk job types. */
const MAX_ENTRIES = 1_000;

export interface LiveTemplates {
  get(channel: StoredChannel, name: string): Promise<LiveTemplate | null>;
}

export function createLiveTemplates(redis: RedisConnection, ttlMs = LIVE_TEMPLATE_TTL_MS): LiveTemplates {
  const cache = new Map<string, { at: number; value: Promise<LiveTemplate | null> }>();
  return {
    get(channel, name) {
      const key = `${channel}:${name}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = liveTemplate(redis, channel, name);
      // A failed read is not remembered: the next job asks Redis again.
      value.catch(() => cache.delete(key));
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(key, { at: now, value });
      return value;
    },
  };
}

/**
 * The category a job is sent under: the job's own `data.category`, else its stored template's
 * when that is not transactional, else marketing for a campaign (a job with a batch id) and
 * transactional for anything else. The API writes `data.category` only when its caller chose one,
 * so a 100,000-recipient campaign carries no extra bytes per job.
 */
export function categoryOf(
  data: Record<string, unknown>,
  templateCategory = "transactional",
  campaign = false,
): string {
  const given = data.category;
  if (typeof given === "string" && /^[a-z0-9_-]{1,40}$/.test(given)) return given;
  if (templateCategory !== "transactional") return templateCategory;
  return campaign ? "marketing" : "transactional";
}
