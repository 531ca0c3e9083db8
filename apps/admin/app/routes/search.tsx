import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Empty, PageHeader, Pager } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { clampInt, formatNumber } from "../lib/format.ts";
import { COMPLETED_CAP } from "../lib/job-states.ts";
import { cellId, cellText } from "../lib/json-text.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

const PAGE = 25;
/** The API's answer per queue is bounded; the page says when a queue reached it. */
const PER_QUEUE = 200;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.trim() ?? "";
  const offset = clampInt(url.searchParams.get("offset"), 0, 0, 1_000_000);
  if (!q) return { q, hits: null, total: 0, offset, capped: [] as string[] };
  const names = await load(queueNames);
  const perQueue = await load((c) =>
    Promise.all(
      names.map(async (queue) => ({ queue, found: await c.jobs.search.query({ queue, text: q, limit: PER_QUEUE }) })),
    ),
  );
  const hits = perQueue.flatMap(({ queue, found }) =>
    found.map((h) => ({
      queue,
      state: h.state,
      id: typeof h.job?.id === "string" ? cellId(h.job.id) : "",
      type: typeof h.job?.type === "string" ? cellText(h.job.type, 80) : "unparseable",
      to: typeof h.job?.to === "string" ? cellText(h.job.to) : "",
    })),
  );
  const capped = perQueue.filter(({ found }) => found.length >= PER_QUEUE).map(({ queue }) => queue);
  return { q, hits: hits.slice(offset, offset + PAGE), total: hits.length, offset, capped };
}

export default function Search() {
  const d = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
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
      <p className="muted">
        Looks through pending, active, delayed and dead jobs of every queue, and its completed history (the newest{" "}
        {formatNumber(COMPLETED_CAP)} completed jobs a queue; older ones are counted, not kept).
      </p>
      {d.hits !== null && d.total > 0 ? (
        <p data-search-total={d.total}>
          <strong>
            {formatNumber(d.total)} {d.total === 1 ? "job matches" : "jobs match"} “{d.q}”
          </strong>
          {d.capped.length > 0
            ? ` (at least: ${d.capped.join(", ")} had more than ${formatNumber(PER_QUEUE)}; narrow the search)`
            : ""}
          .
        </p>
      ) : null}
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
      <Pager offset={d.offset} limit={PAGE} total={d.total} base={params} />
    </>
  );
}
