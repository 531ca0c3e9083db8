// Open pixel and click redirect (seed 000): answer fast, hand the event to the email-events worker.
// Only genuine, unexpired tokens are honoured (encrypted with a key from TRACKING_SECRET), and a
// click only ever goes to the URL inside the token, re-serialized, so these routes can never be
// used as an open redirect.
//
// Abuse stays bounded (#10 finding 8): hits are rate-limited per client IP (429), and an open or
// a click counts once per message: only a message's first hit of each kind becomes an event;
// repeats are counted only in /metrics (outcome "repeat"). Nothing here writes a key per request.
//
// The answer does not wait for Redis: the reader gets the pixel or the link whether or not the
// event could be stored (a mail client never retries a pixel), so waiting would only add latency.
// Events not yet stored are tracked and awaited on shutdown; failures are counted as "lost".
import type { EmailEventType } from "@notify/queue/notifications";
import {
  EMAIL_EVENTS_QUEUE,
  recordTrackingHit,
  safeClickUrl,
  type TrackingPayload,
  verifyTrackingToken,
} from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
import { HitLimiter, RecentSet } from "../lib/hit-limiter.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";
import { text } from "./responses.ts";

/** A transparent 1x1 GIF. */
export const PIXEL_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const PIXEL_HEADERS = {
  "content-type": "image/gif",
  "content-length": String(PIXEL_GIF.length),
  "cache-control": "no-store, no-cache, must-revalidate, private",
};

/** Messages whose hit this process already recorded: replays then cost no Redis round trip. */
const RECENT_CAPACITY = 50_000;

// Built once and cloned per hit: a clone shares the body bytes and headers list, which costs half
// of building a Response from a headers object every time (docs/cli-and-bench.md, API section).
const PIXEL = new Response(PIXEL_GIF, { status: 200, headers: PIXEL_HEADERS });

export function pixelResponse(): Response {
  return PIXEL.clone();
}

type Kind = "open" | "click";

/** The client a hit is limited as; asked only when a limit is on (the peer address lookup costs). */
export type ClientOf = () => string;

export interface Tracker {
  open(token: string, client: ClientOf): Promise<Response>;
  click(token: string, client: ClientOf): Promise<Response>;
}

export function createTracker(deps: ResolvedDeps, queue: QueueAccess): Tracker {
  const limiter = new HitLimiter(deps.config.trackingRateLimit);
  const recent = new RecentSet(RECENT_CAPACITY);
  const count = (kind: Kind, outcome: string) => deps.metrics.trackingEvents.inc({ kind, outcome });

  async function record(kind: Kind, payload: TrackingPayload): Promise<void> {
    const seen = `${kind}:${payload.j}`;
    if (recent.has(seen)) return count(kind, "repeat");
    const type: EmailEventType = kind === "open" ? "EMAIL_OPENED" : "EMAIL_CLICKED";
    try {
      await withDeadline(deps.config.redisTimeoutMs, async () => {
        const events = await queue.batcher(EMAIL_EVENTS_QUEUE);
        const first = await recordTrackingHit(deps.redis, { kind, jobId: payload.j, batchId: payload.b });
        recent.add(seen);
        if (!first) return count(kind, "repeat");
        await events.push({
          type,
          to: payload.r,
          data: {
            recipient: payload.r,
            timestamp: Date.now(),
            jobId: payload.j,
            ...(payload.b ? { batchId: payload.b } : {}),
            ...(payload.u ? { url: payload.u } : {}),
          },
        });
        count(kind, "queued");
      });
    } catch {
      // The reader still gets the pixel or the link; the lost event is counted, not hidden.
      count(kind, "lost");
    }
  }

  /** The payload of a genuine token of this kind, or the response that refuses the hit. */
  function admit(kind: Kind, token: string, client: ClientOf): TrackingPayload | Response {
    const secret = deps.config.trackingSecret;
    const payload = secret ? verifyTrackingToken(token, secret, { maxAgeMs: deps.config.trackingTokenTtlMs }) : null;
    if (!payload || payload.k !== (kind === "open" ? "o" : "c")) {
      count(kind, "rejected");
      return text("invalid or expired tracking token", 400);
    }
    const retryAfter = limiter.enabled ? limiter.take(client()) : 0;
    if (retryAfter > 0) {
      count(kind, "limited");
      return new Response("too many tracking requests", {
        status: 429,
        headers: { "retry-after": String(retryAfter), "cache-control": "no-store" },
      });
    }
    return payload;
  }

  return {
    async open(token, client) {
      const admitted = admit("open", token, client);
      if (admitted instanceof Response) return admitted;
      deps.background.track(record("open", admitted));
      return pixelResponse();
    },
    async click(token, client) {
      const admitted = admit("click", token, client);
      if (admitted instanceof Response) return admitted;
      // Parsed and re-serialized: Location only ever holds a clean absolute http(s) URL.
      const location = admitted.u ? safeClickUrl(admitted.u) : null;
      if (!location) {
        count("click", "rejected");
        return text("invalid or expired tracking token", 400);
      }
      deps.background.track(record("click", admitted));
      return new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
    },
  };
}
