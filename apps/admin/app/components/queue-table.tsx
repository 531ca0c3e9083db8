import { Link } from "@remix-run/react";
import { formatDuration, formatNumber } from "../lib/format.ts";
import type { QueueStats } from "../lib/types.ts";
import { Badge, Empty } from "./ui.tsx";

const HEALTH_TONE = { ok: "ok", warning: "warn", critical: "danger" } as const;

function HealthCell({ health }: { health: QueueStats["health"] }) {
  if (!health) return <span className="muted">-</span>;
  return (
    <>
      <Badge tone={HEALTH_TONE[health.status]}>{health.status}</Badge>
      {health.reasons.length > 0 ? <div className="muted health-reasons">{health.reasons.join("; ")}</div> : null}
    </>
  );
}

export function QueueTable({ queues, now }: { queues: QueueStats[]; now: number }) {
  if (queues.length === 0) {
    return <Empty title="No queues yet.">Queues appear here as soon as a job is pushed.</Empty>;
  }
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col">Health</th>
            <th scope="col" className="num">
              Pending
            </th>
            <th scope="col" className="num">
              Active
            </th>
            <th scope="col" className="num">
              Delayed
            </th>
            <th scope="col" className="num">
              Dead
            </th>
            <th scope="col" className="num" title="Queue latency: how long the job that runs next has waited">
              Next waited
            </th>
            <th scope="col" className="num hide-sm">
              Processed
            </th>
            <th
              scope="col"
              className="num hide-sm"
              title="Every failed try, retried ones included; jobs that gave up are Dead"
            >
              Failed attempts
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row">
                <Link to={`/queues/${encodeURIComponent(q.name)}`}>{q.name}</Link>
              </th>
              <td>
                {q.paused ? (
                  <Badge tone="warn">paused{q.pausedReason ? `: ${q.pausedReason}` : ""}</Badge>
                ) : (
                  <Badge tone="ok">running</Badge>
                )}
              </td>
              <td data-health={q.health?.status ?? "unknown"}>
                <HealthCell health={q.health} />
              </td>
              <td className="num" data-count="pending">
                {formatNumber(q.pending)}
              </td>
              <td className="num" data-count="active">
                {formatNumber(q.active)}
              </td>
              <td className="num" data-count="delayed">
                {formatNumber(q.delayed)}
              </td>
              <td className="num" data-count="dead">
                {q.dead > 0 ? (
                  <Link to={`/dead-letters?queue=${encodeURIComponent(q.name)}`} className="error-text">
                    {formatNumber(q.dead)}
                  </Link>
                ) : (
                  "0"
                )}
              </td>
              <td className="num" data-count="latency">
                {q.pending > 0 && q.nextCreatedAt ? formatDuration(now - q.nextCreatedAt) : "—"}
              </td>
              <td className="num hide-sm" data-count="processed">
                {formatNumber(q.processed)}
              </td>
              <td className="num hide-sm" data-count="failed">
                {formatNumber(q.failed)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
