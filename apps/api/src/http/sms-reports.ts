// SMS delivery reports: POST /webhooks/twilio (Twilio's status callback, X-Twilio-Signature checked
// with Twilio's own helper) and POST /webhooks/msg91?token=... (MSG91's delivery-report webhook;
// MSG91 signs nothing, so a shared secret in the URL it is given). Final outcomes become SMS_*
// jobs on the events queue, beside SendGrid's email events; passing states ("queued", "sent") are
// acknowledged and ignored. 401 for a bad signature or token, 400 for a body that is not a report,
// 503 when Redis cannot take them (both providers retry), 200 once every event is queued.
import { EMAIL_EVENTS_QUEUE, type SmsEventType, smsEventJobSchema } from "@notify/queue/notifications";
import twilio from "twilio";
import type { ResolvedDeps } from "../context.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";
import { digest, digestEquals } from "../lib/secure-compare.ts";
import { json } from "./responses.ts";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_REPORTS = 1_000;

type SmsEventJob = ReturnType<typeof smsEventJobSchema.parse>;

const TWILIO_OUTCOMES: Record<string, SmsEventType> = {
  delivered: "SMS_DELIVERED",
  undelivered: "SMS_FAILED",
  failed: "SMS_FAILED",
};
// MSG91's report status codes: 1 delivered; 2 failed, 9 NDNC, 16 rejected, 17 blocked, 25/26 rejected by the operator.
const MSG91_OUTCOMES: Record<string, SmsEventType> = {
  "1": "SMS_DELIVERED",
  "2": "SMS_FAILED",
  "9": "SMS_FAILED",
  "16": "SMS_FAILED",
  "17": "SMS_FAILED",
  "25": "SMS_FAILED",
  "26": "SMS_FAILED",
};

async function readBody(req: Request): Promise<string | null> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) return null;
  const raw = await req.arrayBuffer();
  return raw.byteLength > MAX_BODY_BYTES ? null : new TextDecoder().decode(raw);
}

async function queueReports(deps: ResolvedDeps, queue: QueueAccess, jobs: SmsEventJob[]): Promise<boolean> {
  try {
    await withDeadline(deps.config.redisTimeoutMs, async () => {
      const target = await queue(EMAIL_EVENTS_QUEUE);
      await Promise.all(jobs.map((job) => target.push({ type: job.type, to: job.data.recipient, data: job.data })));
    });
    return true;
  } catch {
    return false;
  }
}

function valid(candidate: unknown): SmsEventJob | null {
  const parsed = smsEventJobSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

export async function twilioWebhook(deps: ResolvedDeps, queue: QueueAccess, req: Request): Promise<Response> {
  const count = (outcome: string, n = 1) => deps.metrics.webhookEvents.inc({ provider: "twilio", outcome }, n);
  const authToken = deps.config.twilioAuthToken;
  if (!authToken) return json({ error: "webhook verification key not configured" }, 503);
  const raw = await readBody(req);
  if (raw === null) return json({ error: "body too large" }, 413);
  const params = Object.fromEntries(new URLSearchParams(raw));
  // Twilio signs the URL it called, query included; behind a proxy that is the public one.
  const search = new URL(req.url).search;
  const url = deps.config.twilioWebhookUrl ? `${deps.config.twilioWebhookUrl.replace(/\?.*$/, "")}${search}` : req.url;
  const signature = req.headers.get("x-twilio-signature") ?? "";
  if (!signature || !twilio.validateRequest(authToken, signature, url, params)) {
    count("unauthorized");
    return json({ error: "invalid signature" }, 401);
  }
  const status = String(params.MessageStatus ?? params.SmsStatus ?? "");
  const type = TWILIO_OUTCOMES[status];
  if (!type) {
    count("ignored");
    return json({ accepted: 0, ignored: 1 });
  }
  const job = valid({
    type,
    data: {
      recipient: params.To,
      timestamp: Date.now(),
      provider: "twilio",
      providerMessageId: params.MessageSid?.slice(0, 200),
      jobId: new URL(req.url).searchParams.get("job_id")?.slice(0, 200) || undefined,
      status,
      reason: params.ErrorCode ? `error ${params.ErrorCode.slice(0, 20)}` : undefined,
    },
  });
  if (!job) return json({ error: "not a Twilio status callback" }, 400);
  if (!(await queueReports(deps, queue, [job]))) {
    count("unavailable");
    return json({ error: "queue storage unavailable, retry later" }, 503);
  }
  count("queued");
  return json({ accepted: 1, ignored: 0 });
}

/** MSG91 posts JSON, or a form whose `data` field holds the JSON: [{requestId, report: [{number, status, desc, date}]}]. */
function msg91Reports(raw: string, contentType: string): unknown[] | null {
  try {
    const text = contentType.includes("application/x-www-form-urlencoded")
      ? (new URLSearchParams(raw).get("data") ?? "")
      : raw;
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : typeof parsed === "object" && parsed !== null ? [parsed] : null;
  } catch {
    return null;
  }
}

export async function msg91Webhook(deps: ResolvedDeps, queue: QueueAccess, req: Request): Promise<Response> {
  const count = (outcome: string, n = 1) => deps.metrics.webhookEvents.inc({ provider: "msg91", outcome }, n);
  const expected = deps.config.msg91WebhookToken;
  if (!expected) return json({ error: "webhook token not configured" }, 503);
  const token = new URL(req.url).searchParams.get("token") ?? "";
  if (!digestEquals(digest(token), digest(expected))) {
    count("unauthorized");
    return json({ error: "invalid token" }, 401);
  }
  const raw = await readBody(req);
  if (raw === null) return json({ error: "body too large" }, 413);
  const requests = msg91Reports(raw, req.headers.get("content-type") ?? "");
  if (!requests) return json({ error: "body is not an MSG91 delivery report" }, 400);
  const jobs: SmsEventJob[] = [];
  let seen = 0;
  for (const request of requests.slice(0, MAX_REPORTS)) {
    const { requestId, report } = (request ?? {}) as { requestId?: unknown; report?: unknown };
    for (const entry of Array.isArray(report) ? report.slice(0, MAX_REPORTS) : []) {
      seen += 1;
      const { number, status, desc } = (entry ?? {}) as Record<string, unknown>;
      const type = MSG91_OUTCOMES[String(status)];
      const job = type
        ? valid({
            type,
            data: {
              recipient: typeof number === "string" ? number : String(number ?? ""),
              timestamp: Date.now(),
              provider: "msg91",
              providerMessageId:
                typeof requestId === "string" ? `${requestId.slice(0, 150)}:${String(number).slice(0, 20)}` : undefined,
              status: String(status),
              reason: typeof desc === "string" ? desc.slice(0, 1000) : undefined,
            },
          })
        : null;
      if (job) jobs.push(job);
    }
  }
  if (!(await queueReports(deps, queue, jobs))) {
    count("unavailable", jobs.length);
    return json({ error: "queue storage unavailable, retry later" }, 503);
  }
  count("queued", jobs.length);
  count("ignored", seen - jobs.length);
  return json({ accepted: jobs.length, ignored: seen - jobs.length });
}
