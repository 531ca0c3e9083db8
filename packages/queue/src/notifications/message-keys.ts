// The keys of the message log and of the status webhooks. The log lives in a slot of its own
// (`{messages}`): it spans the email and SMS queues, and one script call writes a message and its
// indexes. Webhook endpoints live in the webhooks queue's slot beside that queue's jobs.
import { queueKeys } from "../keys.ts";

export const MESSAGES_SLOT = "messages";
export const WEBHOOKS_QUEUE = "webhooks";

/** The fields a message can be found by, each with an index of its own. */
export const MESSAGE_INDEXES = ["to", "idempotencyKey", "providerMessageId", "batchId", "template", "tenant"] as const;
export type MessageIndex = (typeof MESSAGE_INDEXES)[number];

export interface MessageKeys {
  /** Hash: the message's summary fields (see message-log.ts). */
  message(id: string): string;
  /** List: the message's timeline events as JSON, oldest first (capped). */
  events(id: string): string;
  /** Sorted set: every logged message id by enqueue time (ms): the time index and the memory cap. */
  readonly all: string;
  /** Sorted set: ids carrying one value of an indexed field, by enqueue time. */
  index(field: MessageIndex, value: string): string;
}

export function messageKeys(prefix?: string): MessageKeys {
  const base = queueKeys(MESSAGES_SLOT, prefix).pending;
  return {
    message: (id) => `${base}:msg:${id}`,
    events: (id) => `${base}:msg:${id}:events`,
    all: `${base}:all`,
    index: (field, value) => `${base}:ix:${field}:${value}`,
  };
}

export interface WebhookKeys {
  /** Hash: endpoint id -> endpoint JSON (url, event types, secret, owner, paused). */
  readonly endpoints: string;
  /** String: a random token replaced by every write to `endpoints`, so readers can cache the list. */
  readonly endpointsVersion: string;
  /** Integer: failed deliveries in a row; reset by a success. */
  failures(endpointId: string): string;
  /** List: the endpoint's latest deliveries, newest first (capped). */
  deliveries(endpointId: string): string;
}

export function webhookKeys(prefix?: string): WebhookKeys {
  const base = queueKeys(WEBHOOKS_QUEUE, prefix).pending;
  return {
    endpoints: `${base}:endpoints`,
    endpointsVersion: `${base}:endpoints:version`,
    failures: (id) => `${base}:endpoint:${id}:failures`,
    deliveries: (id) => `${base}:endpoint:${id}:deliveries`,
  };
}
