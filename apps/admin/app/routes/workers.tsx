import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Empty, PageHeader } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { formatAgo, formatDuration } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const [workers, providers] = await Promise.all([
    load((c) => c.workers.list.query()),
    load((c) => c.workers.providers.query()),
  ]);
  return {
    now: Date.now(),
    providers,
    workers: workers.map((w) => ({
      id: w.id,
      queue: w.queue,
      host: w.host,
      pid: w.pid,
      concurrency: w.concurrency,
      startedAt: w.startedAt,
      lastBeatAt: w.lastBeatAt,
      jobs: w.jobs.map((j) => ({ id: String(j.id ?? ""), type: String(j.type ?? "") })),
    })),
  };
}

export default function Workers() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`Workers (${d.workers.length})`} />
      <ProviderBreakers providers={d.providers} now={d.now} />
      {d.workers.length === 0 ? (
        <Empty title="No live workers.">
          Start one with the Procfile (email, sms, events); it appears here within a heartbeat.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Process</th>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Busy
                </th>
                <th scope="col">Current jobs</th>
                <th scope="col">Heartbeat</th>
                <th scope="col">Uptime</th>
              </tr>
            </thead>
            <tbody>
              {d.workers.map((w) => (
                <tr key={w.id}>
                  <td>
                    <div className="mono">
                      {w.host}:{w.pid}
                    </div>
                    <div className="muted mono">{w.id}</div>
                  </td>
                  <td>{w.queue}</td>
                  <td className="num">
                    {w.jobs.length}/{w.concurrency}
                  </td>
                  <td>
                    {w.jobs.length === 0 ? (
                      <span className="muted">idle</span>
                    ) : (
                      w.jobs.slice(0, 5).map((j) => (
                        <div key={j.id}>
                          <Link
                            className="mono"
                            to={`/jobs/${encodeURIComponent(w.queue)}/${encodeURIComponent(j.id)}`}
                          >
                            {j.id}
                          </Link>{" "}
                          <span className="muted">{j.type}</span>
                        </div>
                      ))
                    )}
                  </td>
                  <td>
                    {d.now - w.lastBeatAt > 15_000 ? <Badge tone="warn">late</Badge> : null}{" "}
                    {formatAgo(w.lastBeatAt, d.now)}
                  </td>
                  <td>{formatDuration(d.now - w.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const BREAKER_TONE = { closed: "ok", half_open: "warn", open: "danger" } as const;

/** Each provider's circuit breaker as the workers last reported it (docs/providers.md). */
function ProviderBreakers({
  providers,
  now,
}: {
  providers: ReturnType<typeof useLoaderData<typeof loader>>["providers"];
  now: number;
}) {
  if (providers.length === 0) return null;
  return (
    <div className="table-wrap">
      <table aria-label="Provider circuit breakers">
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Channel</th>
            <th scope="col">Breaker</th>
            <th scope="col">Why</th>
            <th scope="col">Reported</th>
          </tr>
        </thead>
        <tbody>
          {providers.map((p) => (
            <tr key={`${p.channel}:${p.provider}`} data-provider={p.provider}>
              <td className="mono">{p.provider}</td>
              <td>{p.channel}</td>
              <td>
                <Badge tone={BREAKER_TONE[p.state]}>{p.state.replace("_", "-")}</Badge>
              </td>
              <td>
                {p.reason === "credentials" ? "credentials rejected: " : ""}
                <span className="muted">{p.state === "closed" ? "" : (p.lastError ?? "")}</span>
                {p.state === "open" && p.retryAt ? (
                  <div className="muted">probes {formatAgo(p.retryAt, now)}</div>
                ) : null}
              </td>
              <td>{formatAgo(p.updatedAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
