// Which tracking hits count (#10 finding 8): an open or a click counts once per message, however
// often its pixel or link is fetched. The first hit of each kind is remembered in bounded space:
// in one set per batch that expires with the batch, or for mail outside a batch in one set per
// day kept for two days (repeats within that window are recognised). Only tokens the API has
// verified get here, so the sets grow with messages really sent, never with requests.
import type { RedisConnection } from "../connection.ts";
import { recordTrackingHitScript } from "../scripts.ts";
import { emailKeys } from "./keys.ts";

/** Same lifetime as the batch record whose counters the events feed. */
const BATCH_SEEN_TTL_SECONDS = 7 * 86_400;
const DAY_SEEN_TTL_SECONDS = 2 * 86_400;

export interface TrackingHit {
  kind: "open" | "click";
  jobId: string;
  batchId?: string;
}

/** True when this is the message's first hit of its kind (then its event should be queued). */
export async function recordTrackingHit(redis: RedisConnection, hit: TrackingHit, now = Date.now()): Promise<boolean> {
  const keys = emailKeys();
  const member = `${hit.kind === "open" ? "o" : "c"}:${hit.jobId}`;
  if (hit.batchId) {
    const seen = keys.trackedInBatch(hit.batchId);
    return recordTrackingHitScript(redis, { earlier: seen, seen, member, ttlSeconds: BATCH_SEEN_TTL_SECONDS });
  }
  const day = Math.floor(now / 86_400_000);
  return recordTrackingHitScript(redis, {
    earlier: keys.trackedOnDay(day - 1),
    seen: keys.trackedOnDay(day),
    member,
    ttlSeconds: DAY_SEEN_TTL_SECONDS,
  });
}
