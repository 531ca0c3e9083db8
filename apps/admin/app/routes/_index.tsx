import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { bucketMinutes, ThroughputChart } from "../components/chart.tsx";
import { QueueTable } from "../components/queue-table.tsx";
import { Badge, Banner, PageHeader, Stat } from "../components/ui.tsx";
import { load, loadOptional } from "../lib/api.server.ts";
import { formatAgo, formatNumber } from "../lib/format.ts";
import { failuresAll, overviewData, seriesAll } from "../lib/overview.server.ts";
import { noteContinuity } from "../lib/redis-history.server.ts";
import { requireAdmin } from "../lib/session.server.ts";
import { overviewWarnings } from "../lib/warnings.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const overview = await load((c) => overviewData(c));
  const names = overview.queues.map((q) => q.name);
  // The day series covers the hour too; one call per queue keeps the 2 s refresh cheap.
  const [day, failures, alerts, continuity, breakers] = await Promise.all([
    loadOptional((c) => seriesAll(c, names, 1440)),
    loadOptional((c) => failuresAll(c, names, 8)),
    loadOptional((c) => c.queues.deadLetterAlerts.query()),
    loadOptional((c) => c.redis.continuity.query()),
    loadOptional((c) => c.workers.providers.query()),
  ]);
  const now = Date.now();
  const hour = (day ?? []).filter((p) => p.at >= now - 60 * 60_000);
  const history = noteContinuity(continuity, now);
  const warnings = overviewWarnings({ queues: overview.queues, redis: overview.redis, history, breakers, now });
  return { ...overview, hour, day: day ?? [], failures: failures ?? [], alerts, warnings, now };
}

export default function Overview() {
  const d = useLoaderData<typeof loader>();
  const totals = d.queues.reduce(
    (t, q) => ({
      pending: t.pending + q.pending,
      active: t.active + q.active,
      delayed: t.delayed + q.delayed,
      dead: t.dead + q.dead,
    }),
    { pending: 0, active: 0, delayed: 0, dead: 0 },
  );
  return (
    <>
      <PageHeader title="Overview" />
      {d.alerts && d.alerts.over.length > 0 ? (
        <div className="banner banner-error" role="alert" data-testid="dlq-alert">
          Dead-letter alert (DLQ_ALERT_THRESHOLD={d.alerts.threshold}):{" "}
          {d.alerts.over.map((q, i) => (
            <span key={q.queue}>
              {i > 0 ? ", " : ""}
              <Link to={`/dead-letters?queue=${encodeURIComponent(q.queue)}`}>{q.queue}</Link> holds{" "}
              {formatNumber(q.dead)}
            </span>
          ))}
        </div>
      ) : null}
      {d.warnings.length > 0 ? (
        <section aria-label="Warnings">
          {d.warnings.map((w) => (
            <div key={`${w.kind}:${w.title}`} data-warning={w.kind}>
              <Banner tone={w.tone} title={w.title}>
                {w.text}
              </Banner>
            </div>
          ))}
        </section>
      ) : null}
      <div className="grid">
        <Stat label="Pending" value={totals.pending} />
        <Stat label="Active" value={totals.active} />
        <Stat label="Delayed" value={totals.delayed} />
        <Stat label="Dead" value={totals.dead} tone={totals.dead > 0 ? "danger" : undefined} />
        <Stat label="Live workers" value={d.workers} tone={d.workers > 0 ? "ok" : "warn"} />
        <Stat
          label="Redis memory"
          value={d.redis?.usedMemoryHuman ?? "—"}
          hint={d.redis ? `${formatNumber(d.redis.keys)} keys` : undefined}
        />
      </div>
      <section className="section" aria-labelledby="queues-h">
        <h2 id="queues-h">Queues</h2>
        <QueueTable queues={d.queues} now={d.now} />
      </section>
      <section className="section grid-2" aria-label="Throughput">
        <ThroughputChart
          title="Last hour, per minute"
          points={bucketMinutes(d.hour, { minutes: 60, bucketMinutes: 1, now: d.now })}
          xStart="-60 min"
          xEnd="now"
        />
        <ThroughputChart
          title="Last 24 hours, per 15 minutes"
          points={bucketMinutes(d.day, { minutes: 1440, bucketMinutes: 15, now: d.now })}
          xStart="-24 h"
          xEnd="now"
        />
      </section>
      <section className="section" aria-labelledby="failures-h">
        <h2 id="failures-h">Recent failures</h2>
        {d.failures.length === 0 ? (
          <p className="muted">No failures recently.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Job</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.failures.map((f) => (
                  <tr key={`${f.queue}:${f.id}:${f.at}`}>
                    <td>{formatAgo(f.at, d.now)}</td>
                    <td>
                      <Link to={`/jobs/${encodeURIComponent(f.queue)}/${encodeURIComponent(f.id)}`}>
                        {f.type ?? f.id}
                      </Link>{" "}
                      {f.final ? <Badge tone="danger">dead</Badge> : <Badge>retrying</Badge>}
                    </td>
                    <td>
                      <span className="error-text">{f.error}</span>
                    </td>
                    <td className="num">{f.attempts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
