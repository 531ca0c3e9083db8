import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Badge, Empty, PageHeader } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { maskText } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const q = new URL(request.url).searchParams.get("q")?.trim() ?? "";
  if (!q) return { q, hits: null };
  const names = await load(queueNames);
  const perQueue = await load((c) =>
    Promise.all(
      names.map(async (queue) => ({ queue, found: await c.jobs.search.query({ queue, text: q, limit: 50 }) })),
    ),
  );
  const hits = perQueue.flatMap(({ queue, found }) =>
    found.map((h) => ({
      queue,
      state: h.state,
      id: String(h.job?.id ?? ""),
      type: String(h.job?.type ?? "unparseable"),
      to: typeof h.job?.to === "string" ? maskText(h.job.to) : "",
    })),
  );
  return { q, hits };
}

export default function Search() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Search" />
      <Form method="get" className="form-row" role="search">
        <label>
          Job id, recipient or any text of the payload
          <input type="search" name="q" defaultValue={d.q} size={40} />
        </label>
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </Form>
      <p className="muted">Looks through pending, active, delayed and dead jobs and recent history of every queue.</p>
      {d.hits === null ? null : d.hits.length === 0 ? (
        <Empty title={`Nothing matches “${d.q}”.`} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Queue</th>
                <th scope="col">State</th>
                <th scope="col">Type</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {d.hits.map((h) => (
                <tr key={`${h.queue}:${h.state}:${h.id}`}>
                  <td className="mono">
                    <Link to={`/jobs/${encodeURIComponent(h.queue)}/${encodeURIComponent(h.id)}`}>{h.id}</Link>
                  </td>
                  <td>{h.queue}</td>
                  <td>
                    <Badge tone={h.state === "dead" ? "danger" : h.state === "completed" ? "ok" : undefined}>
                      {h.state}
                    </Badge>
                  </td>
                  <td>{h.type}</td>
                  <td className="mono">{h.to}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
