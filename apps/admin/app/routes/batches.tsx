import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Banner, Empty, PageHeader, Progress } from "../components/ui.tsx";
import { adminClient, describeApiError, load } from "../lib/api.server.ts";
import { formatAgo, formatNumber } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const names = await load(queueNames);
  const queue = names.includes(url.searchParams.get("queue") ?? "") ? String(url.searchParams.get("queue")) : "email";
  const ids = (url.searchParams.get("ids") ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 20);
  const batches = await Promise.all(
    ids.map(async (batchId) => {
      try {
        return { batchId, found: await adminClient().batches.get.query({ queue, batchId }), problem: null };
      } catch (error) {
        return { batchId, found: null, problem: describeApiError(error).message };
      }
    }),
  );
  return { names, queue, ids: ids.join(" "), batches, now: Date.now() };
}

export default function Batches() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Batches" />
      <Form method="get" className="form-row">
        <label>
          Queue
          <select name="queue" defaultValue={d.queue}>
            {d.names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Batch ids (space or comma separated)
          <input name="ids" defaultValue={d.ids} size={40} placeholder="campaign-2026-11" />
        </label>
        <button type="submit" className="btn btn-primary">
          Show
        </button>
      </Form>
      {d.batches.length === 0 ? (
        <Empty title="No batch selected.">
          Enter the batch id a bulk send returned (email.sendBatch answers with it).
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Batch</th>
                <th scope="col">Progress</th>
                <th scope="col" className="num">
                  Sent
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Delivered
                </th>
                <th scope="col" className="num">
                  Opened
                </th>
                <th scope="col" className="num">
                  Clicked
                </th>
                <th scope="col" className="num">
                  Bounced
                </th>
              </tr>
            </thead>
            <tbody>
              {d.batches.map(({ batchId, found, problem }) =>
                found ? (
                  <tr key={batchId}>
                    <td>
                      <div className="mono">{batchId}</div>
                      <div className="muted">
                        {formatNumber(found.total)} jobs, {formatAgo(found.createdAt, d.now)}
                      </div>
                    </td>
                    <td>
                      <Progress
                        value={found.sent + found.failed}
                        max={found.total}
                        label={`Batch ${batchId} progress`}
                      />
                    </td>
                    <td className="num">{formatNumber(found.sent)}</td>
                    <td className="num">{formatNumber(found.failed)}</td>
                    <td className="num">{formatNumber(found.delivered)}</td>
                    <td className="num">{formatNumber(found.opened)}</td>
                    <td className="num">{formatNumber(found.clicked)}</td>
                    <td className="num">{formatNumber(found.bounced)}</td>
                  </tr>
                ) : (
                  <tr key={batchId}>
                    <td className="mono">{batchId}</td>
                    <td colSpan={7}>
                      <Banner tone="warn">{problem}</Banner>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
