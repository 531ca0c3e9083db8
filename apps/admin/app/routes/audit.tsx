// The audit log: who paused, purged, retried or deleted what, newest first (issue 15, item 8).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Empty, PageHeader, Pager } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatTime } from "../lib/format.ts";
import { cellText } from "../lib/json-text.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const offset = clampInt(new URL(request.url).searchParams.get("offset"), 0, 0, 1_000_000);
  const page = await load((c) => c.audit.list.query({ offset, limit: PAGE }));
  return {
    offset,
    total: page.total,
    now: Date.now(),
    // Targets and results quote job ids and errors, which may carry addresses: masked like every cell.
    entries: page.entries.map((e) => ({ ...e, target: cellText(e.target, 200), detail: cellText(e.detail, 500) })),
  };
}

export default function Audit() {
  const d = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      <PageHeader title="Audit log" />
      <p className="muted">
        Every pause, resume, clear, retry, delete and purge made from this dashboard, with the login that made it (role
        and the start of its session id) and what came of it, and every login, refused login and logout with the address
        it came from. The newest 1,000 are kept.
      </p>
      {d.entries.length === 0 ? (
        <Empty title="Nothing recorded yet." />
      ) : (
        <div className="table-wrap">
          <table className="stack-sm">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">On</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {d.entries.map((e) => (
                <tr key={`${e.at}:${e.actor}:${e.action}:${e.target}`} data-audit-action={e.action}>
                  <td>
                    <time dateTime={new Date(e.at).toISOString()} title={formatAgo(e.at, d.now)}>
                      {formatTime(e.at)}
                    </time>
                  </td>
                  <td className="mono">{e.actor}</td>
                  <td>{e.action}</td>
                  <td className="mono break-all">{e.target}</td>
                  <td>
                    {e.ok ? null : <Badge tone="danger">failed</Badge>} {e.detail}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={d.offset} limit={PAGE} total={d.total} base={params} />
    </>
  );
}
