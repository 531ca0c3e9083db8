// The event types an endpoint can subscribe to, as the API's webhooks.create accepts them
// (@notify/queue's WEBHOOK_EVENT_TYPES: the admin talks to the API only, so it keeps its own copy,
// which a type check holds equal to the API's input).
import type { AdminClient } from "./api.server.ts";

type Accepted = Parameters<AdminClient["webhooks"]["create"]["mutate"]>[0]["events"][number];

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
] as const satisfies readonly Accepted[];
