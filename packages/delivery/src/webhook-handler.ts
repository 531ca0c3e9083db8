// The webhooks worker's handler: POSTs one status event to one endpoint, signed as Standard
// Webhooks specify (webhook-id, webhook-timestamp, webhook-signature: v1 HMAC-SHA256 with the
// endpoint's secret). Any 2xx is a delivery; anything else, a timeout or a refused connection is
// retried with the engine's backoff and ends in the webhooks queue's dead letters. Every attempt
// goes to the endpoint's delivery log; after too many failures in a row the endpoint is paused and
// its queued events are dead-lettered (retry them from the admin once it is resumed).

import type { RedisConnection } from "@notify/queue";
import { errorMessage, type Handler, type Logger, PermanentError, RetryableError } from "@notify/queue";
import {
  getWebhookEndpoint,
  recordWebhookDelivery,
  type WebhookDelivery,
  type WebhookJobData,
} from "@notify/queue/notifications";
import { Webhook } from "standardwebhooks";

export interface WebhookHandlerOptions {
  redis: RedisConnection;
  logger: Logger;
  timeoutMs: number;
  pauseAfter: number;
}

const USER_AGENT = "notify-webhooks/1";
/** How much of a failing receiver's reply the delivery log keeps. */
const REPLY_PREFIX = 300;

function jobData(data: Record<string, unknown>): WebhookJobData {
  const { endpointId, eventId, eventType, body } = data;
  if (typeof endpointId !== "string" || typeof eventId !== "string" || typeof body !== "string")
    throw new PermanentError("invalid webhook job: endpointId, eventId and body are required", { reason: "invalid" });
  return { endpointId, eventId, eventType: typeof eventType === "string" ? eventType : "unknown", body };
}

export function createWebhookHandler(options: WebhookHandlerOptions): Handler {
  const { redis, logger } = options;
  return async (job, ctx) => {
    const data = jobData(job.data);
    const endpoint = await getWebhookEndpoint(redis, data.endpointId);
    if (!endpoint) throw new PermanentError(`webhook endpoint ${data.endpointId} was deleted`, { reason: "gone" });
    if (endpoint.paused)
      throw new PermanentError(`webhook endpoint is paused: ${endpoint.paused.reason}`, { reason: "paused" });
    const timestamp = new Date();
    const signature = new Webhook(endpoint.secret).sign(data.eventId, timestamp, data.body);
    const startedAt = Date.now();
    const delivery: WebhookDelivery = {
      at: startedAt,
      eventId: data.eventId,
      eventType: data.eventType,
      attempt: ctx.attempt,
      ok: false,
      durationMs: 0,
    };
    try {
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          "webhook-id": data.eventId,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": signature,
        },
        body: data.body,
        redirect: "manual",
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      delivery.status = response.status;
      delivery.ok = response.ok;
      if (!response.ok) delivery.error = `HTTP ${response.status}: ${(await response.text()).slice(0, REPLY_PREFIX)}`;
      else await response.body?.cancel();
    } catch (error) {
      delivery.error = errorMessage(error);
    }
    delivery.durationMs = Date.now() - startedAt;
    const { paused } = await recordWebhookDelivery(redis, endpoint.id, delivery, options.pauseAfter);
    if (delivery.ok) return;
    if (paused) logger.warn({ endpointId: endpoint.id }, "webhook endpoint paused after repeated failures");
    throw new RetryableError(`webhook delivery failed: ${delivery.error ?? "unknown error"}`);
  };
}
