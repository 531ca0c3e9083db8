// Open pixel and click redirect (seed 000): answer fast, hand the event to the email-events worker.
// Only tokens signed with TRACKING_SECRET are honoured, and a click only ever goes to the URL inside
// the signed token, so these routes can never be used as an open redirect.
//
// The answer does not wait for Redis: the reader gets the pixel or the link whether or not the
// event could be stored (a mail client never retries a pixel), so waiting would only add latency.
// Events not yet stored are tracked and awaited on shutdown; failures are counted as "lost".
import type { EmailEventType } from "@notify/queue/notifications";
import { EMAIL_EVENTS_QUEUE, type TrackingPayload, verifyTrackingToken } from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
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

export function pixelResponse(): Response {
  return new Response(PIXEL_GIF, { status: 200, headers: PIXEL_HEADERS });
}

async function queueEvent(
  deps: ResolvedDeps,
  queue: QueueAccess,
  type: EmailEventType,
  payload: TrackingPayload,
): Promise<boolean> {
  const kind = type === "EMAIL_OPENED" ? "open" : "click";
  try {
    await withDeadline(deps.config.redisTimeoutMs, async () => {
      const events = await queue.batcher(EMAIL_EVENTS_QUEUE);
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
    });
    deps.metrics.trackingEvents.inc({ kind, outcome: "queued" });
    return true;
  } catch {
    // The reader still gets the pixel or the link; the lost event is counted, not hidden.
    deps.metrics.trackingEvents.inc({ kind, outcome: "lost" });
    return false;
  }
}

function verified(deps: ResolvedDeps, token: string, kind: "o" | "c"): TrackingPayload | null {
  const secret = deps.config.trackingSecret;
  if (!secret) return null;
  const payload = verifyTrackingToken(token, secret);
  return payload && payload.k === kind ? payload : null;
}

export async function trackOpen(deps: ResolvedDeps, queue: QueueAccess, token: string): Promise<Response> {
  const payload = verified(deps, token, "o");
  if (!payload) {
    deps.metrics.trackingEvents.inc({ kind: "open", outcome: "rejected" });
    return text("invalid tracking token", 400);
  }
  deps.background.track(queueEvent(deps, queue, "EMAIL_OPENED", payload));
  return pixelResponse();
}

export async function trackClick(deps: ResolvedDeps, queue: QueueAccess, token: string): Promise<Response> {
  const payload = verified(deps, token, "c");
  if (!payload?.u) {
    deps.metrics.trackingEvents.inc({ kind: "click", outcome: "rejected" });
    return text("invalid tracking token", 400);
  }
  deps.background.track(queueEvent(deps, queue, "EMAIL_CLICKED", payload));
  return new Response(null, { status: 302, headers: { location: payload.u, "cache-control": "no-store" } });
}
