// The message log (#14): every email and SMS found by recipient, job id, idempotency key,
// provider message id, batch, template and time range, newest first, paged with the total.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Badge, Empty, PageHeader, Pager } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { clampInt, formatNumber, formatTime } from "../lib/format.ts";
import { cellId, cellText } from "../lib/json-text.ts";
import { maskText } from "../lib/masking.ts";
import { STATUS_TONE } from "../lib/message-view.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

const FIELDS = [
  { name: "to", label: "Recipient" },
  { name: "jobId", label: "Job id" },
  { name: "idempotencyKey", label: "Idempotency key" },
  { name: "providerMessageId", label: "Provider message id" },
  { name: "batchId", label: "Batch / campaign" },
  { name: "template", label: "Template" },
] as const;
const LIMIT = 50;

/** A datetime-local value (the browser's local time, sent as UTC by the page) to ms, or undefined. */
function timeOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const at = Date.parse(value.endsWith("Z") ? value : `${value}Z`);
  return Number.isNaN(at) ? undefined : at;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const params = new URL(request.url).searchParams;
  const values = Object.fromEntries(FIELDS.map((f) => [f.name, params.get(f.name)?.trim().slice(0, 320) ?? ""]));
  const from = timeOf(params.get("from"));
  const until = timeOf(params.get("until"));
  const offset = clampInt(params.get("offset"), 0, 0, 100_000);
  const criteria = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ""));
  const page = await load((c) =>
    c.messages.search.query({
      ...criteria,
      ...(from !== undefined ? { from } : {}),
      ...(until !== undefined ? { until } : {}),
      offset,
      limit: LIMIT,
    }),
  );
  const rows = page.messages.map((m) => ({
    id: cellId(m.id),
    queue: m.queue,
    channel: m.channel,
    to: maskText(cellText(m.to)),
    template: cellText(m.template, 80),
    status: m.status,
    attempts: m.attempts,
    enqueuedAt: m.enqueuedAt,
    batchId: m.batchId ? cellText(m.batchId, 80) : "",
  }));
  return {
    values,
    from: params.get("from") ?? "",
    until: params.get("until") ?? "",
    offset,
    total: page.total,
    exact: page.exact,
    rows,
    query: params.toString(),
  };
}

export default function Messages() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Messages" />
      <Form method="get" className="form-row" role="search" aria-label="Search messages">
        {FIELDS.map((f) => (
          <label key={f.name}>
            {f.label}
            <input type="search" name={f.name} defaultValue={d.values[f.name]} />
          </label>
        ))}
        <label>
          Enqueued from (UTC)
          <input type="datetime-local" name="from" defaultValue={d.from} />
        </label>
        <label>
          until (UTC)
          <input type="datetime-local" name="until" defaultValue={d.until} />
        </label>
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </Form>
      <p className="muted" data-testid="message-total">
        {d.exact ? "" : "at least "}
        {formatNumber(d.total)} {d.total === 1 ? "message" : "messages"} matched. A message is logged from its first
        attempt on and kept for MESSAGE_LOG_DAYS; one still waiting is found in Search.
      </p>
      {d.rows.length === 0 ? (
        <Empty title="No logged message matches." />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Status</th>
                <th scope="col">To</th>
                <th scope="col">Template</th>
                <th scope="col">Attempts</th>
                <th scope="col">Batch</th>
                <th scope="col">Enqueued</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((m) => (
                <tr key={m.id}>
                  <td className="mono">
                    <Link to={`/messages/${encodeURIComponent(m.id)}`}>{m.id}</Link>
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[m.status]}>{m.status}</Badge>
                  </td>
                  <td className="mono">{m.to}</td>
                  <td>
                    {m.channel} · {m.template}
                  </td>
                  <td>{m.attempts}</td>
                  <td className="mono">{m.batchId}</td>
                  <td>{formatTime(m.enqueuedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={d.offset} limit={LIMIT} total={d.total} base={new URLSearchParams(d.query)} />
    </>
  );
}
