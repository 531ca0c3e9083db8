// Whether a message may go to its recipient: not suppressed, not unsubscribed from its category.
// The lookups of the jobs that reach this point in the same event-loop turn (a claim's worth of
// campaign recipients) are one HMGET of each hash instead of two HGETs per recipient, read when
// the lookup is asked as before, so a suppression added meanwhile is seen just as it was.
import type { RedisConnection } from "@notify/queue";
import { type Suppression, suppressionsOf, unsubscribedFrom } from "@notify/queue/notifications";
import { Coalescer } from "./batching/coalescer.ts";

export interface Standing {
  suppressed: Suppression | null;
  unsubscribed: boolean;
}

/** Lookups gathered into one HMGET each, at most this many at once. */
const MAX_LOOKUPS = 1_000;

export type StandingLookup = (to: string, category: string) => Promise<Standing>;

export function createStandingLookup(redis: RedisConnection): StandingLookup {
  const lookups = new Coalescer<{ recipient: string; category: string }, Standing>(
    async (_key, asked) => {
      const [suppressed, unsubscribed] = await Promise.all([
        suppressionsOf(
          redis,
          asked.map((a) => a.recipient),
        ),
        unsubscribedFrom(redis, asked),
      ]);
      return asked.map((_, index) => ({
        suppressed: suppressed[index] ?? null,
        unsubscribed: unsubscribed[index] ?? false,
      }));
    },
    { maxSize: MAX_LOOKUPS, lingerMs: 0 },
  );
  return (to, category) => lookups.add("", { recipient: to, category });
}
