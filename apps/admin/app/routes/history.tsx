import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ThroughputChart } from "../components/chart.tsx";
import { PageHeader, Stat } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { formatNumber } from "../lib/format.ts";
import { fillDays } from "../lib/history.ts";
import { historyAll } from "../lib/overview.server.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const DAYS = 90;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const names = await load(queueNames);
  const history = await load((c) => historyAll(c, names, DAYS));
  return { days: fillDays(history, { days: DAYS, now: Date.now() }) };
}

export default function History() {
  const { days } = useLoaderData<typeof loader>();
  const processed = days.reduce((s, d) => s + d.processed, 0);
  const failed = days.reduce((s, d) => s + d.failed, 0);
  const newestFirst = [...days].reverse().filter((d) => d.processed + d.failed > 0);
  return (
    <>
      <PageHeader title="History" />
      <div className="grid">
        <Stat label={`Processed, ${DAYS} days`} value={processed} />
        <Stat
          label={`Failed attempts, ${DAYS} days`}
          value={failed}
          tone={failed > 0 ? "danger" : undefined}
          hint="every failed try, retried ones included"
        />
        <Stat
          label="Failed attempt rate"
          value={processed + failed > 0 ? `${((failed / (processed + failed)) * 100).toFixed(2)}%` : "—"}
        />
      </div>
      <section className="section">
        <ThroughputChart
          title={`Per day, last ${DAYS} days`}
          points={days.map((d) => ({ label: d.day, processed: d.processed, failed: d.failed }))}
          xStart={days[0]?.day ?? ""}
          xEnd="today"
        />
      </section>
      <section className="section">
        <h2>Days with activity</h2>
        {newestFirst.length === 0 ? (
          <p className="muted">Nothing processed in the last {DAYS} days.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col" className="num">
                    Processed
                  </th>
                  <th scope="col" className="num">
                    Failed attempts
                  </th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td className="num">{formatNumber(d.processed)}</td>
                    <td className="num">{formatNumber(d.failed)}</td>
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
