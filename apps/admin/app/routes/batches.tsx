import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { Banner, Empty, PageHeader, Progress, QueueSelect } from "../components/ui.tsx";
import { adminClient, describeApiError, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatNumber } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 20;

interface BatchView {
  batchId: string;
  total: number;
  sent: number;
  failed: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  createdAt: number | null;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const names = await load(queueNames);
  const queue = names.includes(url.searchParams.get("queue") ?? "") ? String(url.searchParams.get("queue")) : "email";
  const offset = clampInt(url.searchParams.get("offset"), 0, 0, 1_000);
  const ids = (url.searchParams.get("ids") ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 20);
  const [batches, recent] = await Promise.all([
    Promise.all(
      ids.map(async (batchId) => {
        try {
          return { batchId, found: await adminClient().batches.get.query({ queue, batchId }), problem: null };
        } catch (error) {
          return { batchId, found: null, problem: describeApiError(error).message };
        }
      }),
    ),
    // One more than a page tells whether there is a next page without a count.
    load((c) => c.batches.list.query({ queue, offset, limit: PAGE + 1 })),
  ]);
  return {
    names,
    queue,
    ids: ids.join(" "),
    batches,
    recent: recent.slice(0, PAGE),
    /** Looked-up batches are shown above, so the recent list does not repeat them. */
    others: recent.slice(0, PAGE).filter((b) => !ids.includes(b.batchId)),
    offset,
    hasMore: recent.length > PAGE,
    now: Date.now(),
  };
}

function BatchTable({ children }: { children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Progress</th>
            {["Sent", "Failed", "Delivered", "Opened", "Clicked", "Bounced"].map((label) => (
              <th key={label} scope="col" className="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function BatchRow({ batch, now }: { batch: BatchView; now: number }) {
  return (
    <tr>
      <td>
        <div className="mono">{batch.batchId}</div>
        <div className="muted">
          {formatNumber(batch.total)} jobs, {formatAgo(batch.createdAt, now)}
        </div>
      </td>
      <td>
        <Progress value={batch.sent + batch.failed} max={batch.total} label={`Batch ${batch.batchId} progress`} />
      </td>
      <td className="num">{formatNumber(batch.sent)}</td>
      <td className="num">{formatNumber(batch.failed)}</td>
      <td className="num">{formatNumber(batch.delivered)}</td>
      <td className="num">{formatNumber(batch.opened)}</td>
      <td className="num">{formatNumber(batch.clicked)}</td>
      <td className="num">{formatNumber(batch.bounced)}</td>
    </tr>
  );
}

export default function Batches() {
  const d = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pageLink = (offset: number) => {
    const p = new URLSearchParams(params);
    p.set("offset", String(offset));
    return `?${p.toString()}`;
  };
  return (
    <>
      <PageHeader title="Batches" />
      <Form method="get" className="form-row">
        <QueueSelect names={d.names} defaultValue={d.queue} />
        <label>
          Batch ids (space or comma separated)
          <input name="ids" defaultValue={d.ids} size={40} placeholder="campaign-2026-11" />
        </label>
        <button type="submit" className="btn btn-primary">
          Show
        </button>
      </Form>
      {d.batches.length > 0 ? (
        <section className="section">
          <h2>Looked up</h2>
          <BatchTable>
            {d.batches.map(({ batchId, found, problem }) =>
              found ? (
                <BatchRow key={batchId} batch={found} now={d.now} />
              ) : (
                <tr key={batchId}>
                  <td className="mono">{batchId}</td>
                  <td colSpan={7}>
                    <Banner tone="warn">{problem}</Banner>
                  </td>
                </tr>
              ),
            )}
          </BatchTable>
          {d.batches.map(({ batchId, found }) =>
            found && found.contactFailures.total > 0 ? (
              <div key={`${batchId}-contacts`} className="section" data-testid="contact-failures">
                <h3>
                  {batchId}: {formatNumber(found.contactFailures.total)} contacts got no email
                </h3>
                <ul>
                  {found.contactFailures.failures.map((f) => (
                    <li key={f.contactId}>
                      <span className="mono">{f.contactId}</span>: {f.reason}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null,
          )}
        </section>
      ) : null}
      <section className="section">
        <h2>Recent batches in {d.queue}</h2>
        {d.recent.length === 0 ? (
          <Empty title="No batches yet.">A bulk send (email.sendBatch) starts one.</Empty>
        ) : d.others.length === 0 ? (
          <p className="muted">Only the batches looked up above.</p>
        ) : (
          <BatchTable>
            {d.others.map((batch) => (
              <BatchRow key={batch.batchId} batch={batch} now={d.now} />
            ))}
          </BatchTable>
        )}
        {d.offset > 0 || d.hasMore ? (
          <nav className="pager" aria-label="Pages">
            {d.offset > 0 ? <Link to={pageLink(Math.max(0, d.offset - PAGE))}>← Newer</Link> : <span />}
            <span className="muted">
              {formatNumber(d.offset + 1)}–{formatNumber(d.offset + d.recent.length)}
            </span>
            {d.hasMore ? <Link to={pageLink(d.offset + PAGE)}>Older →</Link> : <span />}
          </nav>
        ) : null}
      </section>
    </>
  );
}
