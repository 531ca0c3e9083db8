// The signed unsubscribe page behind every List-Unsubscribe link (RFC 8058). The token is the
// email worker's, sealed with TRACKING_SECRET like the tracking tokens: it names the recipient and
// the category, so nobody can unsubscribe someone else or pick another category. GET only shows
// a confirmation form (link scanners and prefetchers follow GETs, which must change nothing);
// POST records the unsubscribe, whether it comes from that form or as a mailbox provider's
// one-click `List-Unsubscribe=One-Click`, and hands an `unsubscribed` event for the message to the
// email-events worker, which adds it to the message's timeline and tells the status webhooks.
// Rate-limited per client IP like the tracking routes.
import { createHash } from "node:crypto";
import {
  EMAIL_EVENTS_QUEUE,
  type TrackingPayload,
  unsubscribe,
  verifyTrackingToken,
} from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
import { HitLimiter } from "../lib/hit-limiter.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";

export const UNSUBSCRIBE_PREFIX = "/u/";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** "ann@example.com" -> "a**@example.com": the page confirms whose mail it is without spelling it out. */
const masked = (address: string) =>
  address.replace(/^(.)[^@]*(@.*)?$/, (_all, first: string, domain = "") => `${first}**${domain}`);

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111827}button{font-size:1rem;padding:.5rem 1rem}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // No scripts, no framing, no referrer leaking the token.
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    },
  });
}

export interface Unsubscriber {
  show(token: string, client: string): Promise<Response>;
  confirm(token: string, client: string): Promise<Response>;
}

/** The event's id: one `unsubscribed` per message and category, however often the form is sent. */
function eventIdOf(jobId: string, category: string): string {
  const id = `unsubscribe:${category}:${jobId}`;
  return id.length <= 200 ? id : `unsubscribe:${createHash("sha256").update(id).digest("hex")}`;
}

export function createUnsubscriber(deps: ResolvedDeps, queue: QueueAccess): Unsubscriber {
  const limiter = new HitLimiter(deps.config.trackingRateLimit);

  function admit(token: string, client: string): TrackingPayload | Response {
    const retryAfter = limiter.take(client);
    if (retryAfter > 0)
      return new Response("too many requests", { status: 429, headers: { "retry-after": String(retryAfter) } });
    const secret = deps.config.trackingSecret;
    const payload = secret ? verifyTrackingToken(token, secret, { maxAgeMs: deps.config.trackingTokenTtlMs }) : null;
    if (!payload || payload.k !== "u" || !payload.g)
      return page("Link not valid", "<p>This unsubscribe link is not valid or has expired.</p>", 400);
    return payload;
  }

  return {
    async show(token, client) {
      const payload = admit(token, client);
      if (payload instanceof Response) return payload;
      const category = escapeHtml(payload.g ?? "");
      return page(
        "Unsubscribe",
        `<p>Stop sending <strong>${category}</strong> messages to ${escapeHtml(masked(payload.r))}?</p><form method="post"><button type="submit" name="confirm" value="1">Unsubscribe</button></form>`,
      );
    },
    async confirm(token, client) {
      const payload = admit(token, client);
      if (payload instanceof Response) return payload;
      const category = payload.g ?? "";
      try {
        await withDeadline(deps.config.redisTimeoutMs, async () => {
          await unsubscribe(deps.redis, payload.r, category);
          // Pushed after the preference is stored: a failure asks for a retry, which pushes again.
          const events = await queue.batcher(EMAIL_EVENTS_QUEUE);
          await events.push({
            type: "EMAIL_UNSUBSCRIBED",
            to: payload.r,
            data: {
              recipient: payload.r,
              timestamp: Date.now(),
              jobId: payload.j,
              ...(payload.b ? { batchId: payload.b } : {}),
              category,
              providerEventId: eventIdOf(payload.j, category),
            },
          });
        });
      } catch {
        return page(
          "Please try again",
          "<p>We could not record this right now. Please try again in a minute.</p>",
          503,
        );
      }
      return page(
        "Unsubscribed",
        `<p>You will no longer get <strong>${escapeHtml(payload.g ?? "")}</strong> messages at this address.</p>`,
      );
    },
  };
}
