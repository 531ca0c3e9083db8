// What the admin shows of a logged message: its summary and a timeline of labelled events, masked
// on the server (recipients, and anything a provider's error text repeats of them).
import type { AdminClient } from "./api.server.ts";
import { cellText } from "./json-text.ts";
import { maskText } from "./masking.ts";

type Logged = Awaited<ReturnType<AdminClient["messages"]["get"]["query"]>>;

export interface TimelineRow {
  type: string;
  at: number;
  label: string;
  bad: boolean;
  durationMs?: number;
  detail?: string;
}

export interface MessageView {
  id: string;
  queue: string;
  channel: string;
  to: string;
  template: string;
  status: string;
  attempts: number;
  tenant: string | null;
  idempotencyKey: string | null;
  batchId: string | null;
  provider: string | null;
  providerMessageId: string | null;
  enqueuedAt: number;
  events: TimelineRow[];
}

/** Badge tone of each status. */
export const STATUS_TONE: Record<string, string> = {
  failed: "danger",
  bounced: "danger",
  dropped: "danger",
  spam_report: "danger",
  retrying: "warn",
  sent: "ok",
  delivered: "ok",
  opened: "ok",
  clicked: "ok",
};

const EVENT_LABEL: Record<string, string> = {
  retried_from_dead_letters: "Retried from dead letters",
  delivered: "Delivered",
  opened: "Opened",
  clicked: "Clicked",
  bounced: "Bounced",
  dropped: "Dropped",
  spam_report: "Spam report",
  unsubscribed: "Unsubscribed",
};
const BAD = new Set(["bounced", "dropped", "spam_report"]);
const text = (value: string | undefined) => (value ? maskText(cellText(value, 500)) : undefined);

function row(event: Logged["events"][number]): TimelineRow {
  if (event.type === "attempt") {
    const outcome = { sent: "sent", retry: "failed, will retry", failed: "failed for good", halted: "halted" }[
      event.outcome
    ];
    const reply = event.outcome === "sent" ? `${event.provider ?? ""} ${event.providerMessageId ?? ""}`.trim() : "";
    return {
      type: "attempt",
      at: event.startedAt,
      label: `Attempt ${event.attempt}: ${outcome}`,
      bad: event.outcome !== "sent",
      durationMs: event.durationMs,
      ...(event.error || reply ? { detail: text(event.error) ?? `provider ${reply}` } : {}),
    };
  }
  if (event.type === "retried_from_dead_letters")
    return { type: event.type, at: event.at, label: EVENT_LABEL[event.type] ?? event.type, bad: false };
  const detail = text(event.url ?? event.reason);
  return {
    type: event.type,
    at: event.at,
    label: `${EVENT_LABEL[event.type] ?? event.type}${event.bounceType ? ` (${event.bounceType})` : ""}`,
    bad: BAD.has(event.type),
    ...(detail ? { detail } : {}),
  };
}

export function messageView(message: Logged): MessageView {
  return {
    id: message.id,
    queue: message.queue,
    channel: message.channel,
    to: maskText(cellText(message.to)),
    template: cellText(message.template, 100),
    status: message.status,
    attempts: message.attempts,
    tenant: message.tenant ?? null,
    idempotencyKey: message.idempotencyKey ? cellText(message.idempotencyKey, 200) : null,
    batchId: message.batchId ?? null,
    provider: message.provider ?? null,
    providerMessageId: message.providerMessageId ? cellText(message.providerMessageId, 200) : null,
    enqueuedAt: message.enqueuedAt,
    events: message.events.map(row),
  };
}
