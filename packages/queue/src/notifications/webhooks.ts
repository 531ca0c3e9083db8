// Status webhooks to the application: endpoints (URL, event types, secret, owner), the fan-out of
// a message's status change into one job per subscribed endpoint on the webhooks queue, and the
// bookkeeping the webhooks worker does per delivery (failures in a row, automatic pause, a capped
// delivery log). Signing and the HTTP call are @notify/delivery's; the per-endpoint dead letters
// are the webhooks queue's DLQ filtered by endpoint. Delivery is at least once: a receiver
// de-duplicates by the `webhook-id` header, which stays the same across retries.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { RedisConnection } from "../connection.ts";
import { Queue } from "../queue.ts";
import { WEBHOOKS_QUEUE, webhookKeys } from "./message-keys.ts";
import type { MessageSummary } from "./message-log.ts";

export { WEBHOOKS_QUEUE };

export const WEBHOOK_EVENT_TYPES = [
  "message.sent",
  "message.failed",
  "message.delivered",
  "message.opened",
  "message.clicked",
  "message.bounced",
  "message.dropped",
  "message.spam_report",
  "message.unsubscribed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const WEBHOOK_TEST_EVENT = "webhook.test";

export const MAX_ENDPOINTS = 100;
export const DEFAULT_PAUSE_AFTER_FAILURES = 20;
const DELIVERY_LOG_CAP = 100;

export const webhookEndpointInput = z.object({
  url: z
    .string()
    .trim()
    .max(2048)
    .url()
    .refine((url) => /^https?:\/\//i.test(url), "must be an http:// or https:// URL"),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
  description: z.string().trim().max(200).optional(),
  /** Standard Webhooks secret (`whsec_` + base64 of 24-64 bytes); made when absent. */
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, "must be whsec_ followed by base64 of 24 to 64 bytes")
    .optional(),
});
export type WebhookEndpointInput = z.input<typeof webhookEndpointInput>;

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  secret: string;
  /** The service key's tenant that registered it: it receives that tenant's messages only. */
  tenant?: string;
  createdAt: number;
  paused?: { at: number; reason: string };
}

export interface WebhookDelivery {
  at: number;
  eventId: string;
  eventType: string;
  attempt: number;
  ok: boolean;
  status?: number;
  durationMs: number;
  error?: string;
}

/** The body an endpoint receives (Standard Webhooks' recommended {type, timestamp, data}). */
export interface WebhookPayload {
  type: WebhookEventType | typeof WEBHOOK_TEST_EVENT;
  timestamp: string;
  data: Record<string, unknown>;
}

/** What a job on the webhooks queue carries: the body is fixed at fan-out, so every retry signs the same bytes. */
export interface WebhookJobData {
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
  [key: string]: unknown;
}

const keys = () => webhookKeys();
const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
/** A new version token for the endpoint list: random, so a Redis that lost its data never repeats one. */
const newVersion = () => randomBytes(9).toString("base64url");

function decode(raw: string): WebhookEndpoint | null {
  try {
    return JSON.parse(raw) as WebhookEndpoint;
  } catch {
    return null;
  }
}

const decodeAll = (all: string[]) => all.flatMap((raw) => decode(raw) ?? []).sort((a, b) => a.createdAt - b.createdAt);

export async function listWebhookEndpoints(redis: RedisConnection): Promise<WebhookEndpoint[]> {
  return decodeAll(await redis.hvals(keys().endpoints));
}

/** A cached list is read again at least this often, whatever its version says (a writer that predates the token). */
const ENDPOINT_CACHE_MAX_AGE_MS = 10_000;
const endpointCache = new WeakMap<RedisConnection, { version: string | null; at: number; list: WebhookEndpoint[] }>();

/**
 * The endpoint list as fan-out needs it on every sent message: one GET of the version token
 * (replaced by every write to the list) instead of reading and parsing every endpoint each time.
 * A change is seen by the next fan-out that starts after it.
 */
export async function webhookEndpointsForFanOut(redis: RedisConnection): Promise<WebhookEndpoint[]> {
  const version = await redis.get(keys().endpointsVersion);
  const cached = endpointCache.get(redis);
  if (cached && cached.version === version && Date.now() - cached.at < ENDPOINT_CACHE_MAX_AGE_MS) return cached.list;
  // Token and list in one MULTI: the token cached is the one the list was read at.
  const [[, read] = [null, null], [, all] = [null, []]] =
    (await redis.multi().get(keys().endpointsVersion).hvals(keys().endpoints).exec()) ?? [];
  const list = decodeAll(all as string[]);
  endpointCache.set(redis, { version: read as string | null, at: Date.now(), list });
  return list;
}

export async function getWebhookEndpoint(redis: RedisConnection, id: string): Promise<WebhookEndpoint | null> {
  const raw = await redis.hget(keys().endpoints, id);
  return raw === null ? null : decode(raw);
}

export async function createWebhookEndpoint(
  redis: RedisConnection,
  input: WebhookEndpointInput,
  tenant?: string,
): Promise<WebhookEndpoint> {
  const valid = webhookEndpointInput.parse(input);
  if ((await redis.hlen(keys().endpoints)) >= MAX_ENDPOINTS)
    throw new RangeError(`at most ${MAX_ENDPOINTS} webhook endpoints; delete one first`);
  const endpoint: WebhookEndpoint = {
    id: `we_${randomBytes(9).toString("base64url")}`,
    url: valid.url,
    events: [...new Set(valid.events)],
    secret: valid.secret ?? newSecret(),
    createdAt: Date.now(),
    ...(valid.description ? { description: valid.description } : {}),
    ...(tenant !== undefined ? { tenant } : {}),
  };
  await save(redis, endpoint);
  return endpoint;
}

async function save(redis: RedisConnection, endpoint: WebhookEndpoint): Promise<void> {
  await redis
    .multi()
    .hset(keys().endpoints, endpoint.id, JSON.stringify(endpoint))
    .set(keys().endpointsVersion, newVersion())
    .exec();
}

export async function deleteWebhookEndpoint(redis: RedisConnection, id: string): Promise<boolean> {
  const [[, removed] = [null, 0]] =
    (await redis
      .multi()
      .hdel(keys().endpoints, id)
      .del(keys().failures(id), keys().deliveries(id))
      .set(keys().endpointsVersion, newVersion())
      .exec()) ?? [];
  return Number(removed) === 1;
}

/** Pauses (with a reason) or resumes an endpoint; resuming forgets the failures in a row. */
export async function setWebhookEndpointPaused(
  redis: RedisConnection,
  id: string,
  paused: { reason: string } | null,
): Promise<WebhookEndpoint | null> {
  const endpoint = await getWebhookEndpoint(redis, id);
  if (!endpoint) return null;
  const { paused: _was, ...rest } = endpoint;
  const next: WebhookEndpoint = paused ? { ...rest, paused: { at: Date.now(), reason: paused.reason } } : rest;
  await save(redis, next);
  if (!paused) await redis.del(keys().failures(id));
  return next;
}

/** Endpoints subscribed to `type` that may see the message's tenant, paused ones left out. */
function subscribers(endpoints: WebhookEndpoint[], type: WebhookEventType, tenant: string | undefined) {
  return endpoints.filter(
    (e) => !e.paused && e.events.includes(type) && (e.tenant === undefined || e.tenant === tenant),
  );
}

const webhooksQueues = new WeakMap<RedisConnection, Queue>();
export function webhooksQueue(redis: RedisConnection): Queue {
  const queue = webhooksQueues.get(redis) ?? new Queue(WEBHOOKS_QUEUE, { connection: redis });
  webhooksQueues.set(redis, queue);
  return queue;
}

/** The part of a message an application sees in a webhook: no payload data, which may hold secrets. */
export function messageView(summary: MessageSummary): Record<string, unknown> {
  const { lastError, ...view } = summary;
  return { ...view, ...(lastError ? { error: lastError } : {}) };
}

/**
 * Queues one webhook job per endpoint subscribed to this status change. `eventKey` names the
 * change (e.g. `<job id>.sent`, a provider's event id) so that running the same fan-out twice
 * (a handler re-run after a crash) queues jobs with the same ids, which the engine skips.
 */
export async function fanOutMessageEvent(
  redis: RedisConnection,
  input: {
    type: WebhookEventType;
    eventKey: string;
    message: MessageSummary;
    event?: Record<string, unknown>;
    /** The list from webhookEndpointsForFanOut when the caller read it already (alongside its own write). */
    endpoints?: WebhookEndpoint[];
  },
): Promise<number> {
  const endpoints = input.endpoints ?? (await webhookEndpointsForFanOut(redis));
  const targets = subscribers(endpoints, input.type, input.message.tenant);
  if (targets.length === 0) return 0;
  const eventId = `msg_${input.eventKey}`.slice(0, 150);
  const payload: WebhookPayload = {
    type: input.type,
    timestamp: new Date().toISOString(),
    data: { message: messageView(input.message), ...(input.event ? { event: input.event } : {}) },
  };
  const body = JSON.stringify(payload);
  const queue = webhooksQueue(redis);
  await Promise.all(
    targets.map((endpoint) => {
      const data: WebhookJobData = { endpointId: endpoint.id, eventId, eventType: input.type, body };
      return queue.push({ type: "webhook", data }, { id: `${eventId}.${endpoint.id}` });
    }),
  );
  return targets.length;
}

/** "Send test event": one job to this endpoint whatever its subscriptions, through the same queue. */
export async function queueTestEvent(redis: RedisConnection, endpoint: WebhookEndpoint): Promise<string> {
  const eventId = `msg_test_${randomBytes(9).toString("base64url")}`;
  const payload: WebhookPayload = {
    type: WEBHOOK_TEST_EVENT,
    timestamp: new Date().toISOString(),
    data: { endpointId: endpoint.id, message: "This is a test event from notify." },
  };
  const data: WebhookJobData = {
    endpointId: endpoint.id,
    eventId,
    eventType: WEBHOOK_TEST_EVENT,
    body: JSON.stringify(payload),
  };
  await webhooksQueue(redis).push({ type: "webhook", data }, { id: `${eventId}.${endpoint.id}` });
  return eventId;
}

/**
 * Records one delivery attempt. A success resets the failures in a row; a failure counts one and
 * pauses the endpoint once `pauseAfter` are reached. Returns whether the endpoint is now paused.
 */
export async function recordWebhookDelivery(
  redis: RedisConnection,
  endpointId: string,
  delivery: WebhookDelivery,
  pauseAfter = DEFAULT_PAUSE_AFTER_FAILURES,
): Promise<{ paused: boolean }> {
  const tx = redis.multi();
  tx.lpush(keys().deliveries(endpointId), JSON.stringify({ ...delivery, error: delivery.error?.slice(0, 500) }));
  tx.ltrim(keys().deliveries(endpointId), 0, DELIVERY_LOG_CAP - 1);
  if (delivery.ok) tx.del(keys().failures(endpointId));
  else tx.incr(keys().failures(endpointId));
  const results = await tx.exec();
  if (delivery.ok) return { paused: false };
  const failures = Number(results?.at(-1)?.[1] ?? 0);
  if (failures < pauseAfter) return { paused: false };
  const endpoint = await getWebhookEndpoint(redis, endpointId);
  if (endpoint && !endpoint.paused)
    await setWebhookEndpointPaused(redis, endpointId, { reason: `${failures} failed deliveries in a row` });
  return { paused: true };
}

export async function webhookDeliveries(
  redis: RedisConnection,
  endpointId: string,
): Promise<{ failuresInARow: number; deliveries: WebhookDelivery[] }> {
  const [failures, raw] = await Promise.all([
    redis.get(keys().failures(endpointId)),
    redis.lrange(keys().deliveries(endpointId), 0, DELIVERY_LOG_CAP - 1),
  ]);
  const deliveries = raw.flatMap((entry) => {
    try {
      return [JSON.parse(entry) as WebhookDelivery];
    } catch {
      return [];
    }
  });
  return { failuresInARow: Number(failures ?? 0), deliveries };
}
