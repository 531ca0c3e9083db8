// POST /webhooks/sendgrid: verify the signature over the raw body, then queue one email-events job
// per event we act on. 401 for a bad signature, 400 for a body that is not an event array, 503 when
// Redis cannot take the events (SendGrid retries), 200 once every accepted event is queued.
import { EMAIL_EVENTS_QUEUE } from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";
import { json } from "./responses.ts";
import { toEmailEventJob } from "./sendgrid-events.ts";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendgridSignature } from "./sendgrid-signature.ts";

/** SendGrid posts batches of up to a few thousand events; anything far larger is not SendGrid. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

export async function sendgridWebhook(deps: ResolvedDeps, queue: QueueAccess, req: Request): Promise<Response> {
  const count = (outcome: string, n = 1) => deps.metrics.webhookEvents.inc({ provider: "sendgrid", outcome }, n);
  const publicKey = deps.config.sendgridPublicKey;
  if (!publicKey) return json({ error: "webhook verification key not configured" }, 503);

  const signature = req.headers.get(SIGNATURE_HEADER);
  const timestamp = req.headers.get(TIMESTAMP_HEADER);
  // Seconds since the epoch, digits only: Number() would take "0x10", " 1e3" or "" and a NaN
  // compares false, which once let any non-numeric timestamp past the age check.
  if (timestamp !== null && !UNIX_SECONDS.test(timestamp)) {
    count("bad_timestamp");
    return json({ error: "timestamp header must be whole seconds since the epoch" }, 400);
  }
  const rawBody = new Uint8Array(await req.arrayBuffer());
  if (rawBody.byteLength > MAX_BODY_BYTES) return json({ error: "body too large" }, 413);
  if (!signature || !timestamp || !verifySendgridSignature({ publicKey, rawBody, signature, timestamp })) {
    count("unauthorized");
    return json({ error: "invalid signature" }, 401);
  }
  const maxAge = deps.config.sendgridMaxAgeSeconds;
  if (maxAge > 0 && Math.abs(Date.now() / 1000 - Number(timestamp)) > maxAge) {
    count("stale");
    return json({ error: "stale signature timestamp" }, 401);
  }

  let events: unknown;
  try {
    events = JSON.parse(new TextDecoder().decode(rawBody));
  } catch {
    return json({ error: "body is not JSON" }, 400);
  }
  if (!Array.isArray(events)) return json({ error: "body must be an array of events" }, 400);

  const jobs = events.map(toEmailEventJob).filter((job) => job !== null);
  try {
    await withDeadline(deps.config.redisTimeoutMs, async () => {
      const target = await queue(EMAIL_EVENTS_QUEUE);
      await Promise.all(jobs.map((job) => target.push({ type: job.type, to: job.data.recipient, data: job.data })));
    });
  } catch {
    count("unavailable", jobs.length);
    return json({ error: "queue storage unavailable, retry later" }, 503);
  }
  count("queued", jobs.length);
  count("ignored", events.length - jobs.length);
  return json({ accepted: jobs.length, ignored: events.length - jobs.length });
}
