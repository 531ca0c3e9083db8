// A message's timeline from the message log: enqueued (by whom, with which idempotency key), each
// attempt with its start, duration and error or provider reply, then the provider's events.

import { formatDuration, formatTime } from "../lib/format.ts";
import type { MessageView } from "../lib/message-view.ts";

/** An attempt takes milliseconds: seconds would say "0s". */
const took = (ms: number) => (ms < 1_000 ? `${ms} ms` : formatDuration(ms));

export function MessageTimeline({ message }: { message: MessageView }) {
  return (
    <ol className="timeline" aria-label="Message timeline">
      <li>
        <strong>Enqueued</strong> <span className="muted">{formatTime(message.enqueuedAt)}</span>
        <span className="muted">
          {message.tenant ? ` by ${message.tenant}` : ""}
          {message.idempotencyKey ? ` · idempotency key ${message.idempotencyKey}` : ""}
        </span>
      </li>
      {message.events.map((e, index) => (
        // Events are append-only and carry no id of their own: their place is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <li key={index} className={e.bad ? "bad" : undefined} data-event={e.type}>
          <strong>{e.label}</strong> <span className="muted">{formatTime(e.at)}</span>
          {e.durationMs !== undefined ? <span className="muted"> · took {took(e.durationMs)}</span> : null}
          {e.detail ? <div className="mono">{e.detail}</div> : null}
        </li>
      ))}
    </ol>
  );
}
