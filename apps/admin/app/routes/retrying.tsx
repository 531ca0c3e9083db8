// Jobs waiting for their next attempt after a failure, apart from the jobs producers delayed: what
// is failing right now and will be tried again, with the error, the attempt and when it runs next.
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Empty, Flash, PageHeader, Pager, QueueSelect, useCanChange } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatNumber, formatTime } from "../lib/format.ts";
import { cellId, cellText } from "../lib/json-text.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 25;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const names = await load(queueNames);
  const asked = url.searchParams.get("queue");
  const queue = asked && names.includes(asked) ? asked : (names[0] ?? "email");
  const offset = clampInt(url.searchParams.get("offset"), 0, 0, 1_000_000);
  const page = await load((c) => c.jobs.delayed.query({ queue, kind: "retrying", offset, limit: PAGE }));
  const rows = page.jobs.map((f) => ({
    id: typeof f.job?.id === "string" ? cellId(f.job.id) : "",
    type: typeof f.job?.type === "string" ? cellText(f.job.type, 80) : "unparseable",
    to: typeof f.job?.to === "string" ? cellText(f.job.to) : "",
    attempts: f.attempts,
    maxAttempts: f.maxAttempts,
    error: cellText(f.lastError ?? "", 500),
    nextAt: f.at ?? null,
  }));
  return { names, queue, offset, total: page.total, complete: page.complete, rows, now: Date.now() };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const queue = String(form.get("queue") ?? "");
  const id = String(form.get("id") ?? "");
  if (form.get("intent") !== "run-now" || !queue || !id) {
    return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
  return act(
    async (c) => {
      await c.queues.promote.mutate({ queue, id });
      return `Job ${id} is due now and back in pending for its next attempt.`;
    },
    { actor: session.actor, action: "retrying: run-now", target: `${queue}/${id}` },
  );
}

export default function Retrying() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const canChange = useCanChange();
  return (
    <>
      <PageHeader title="Retrying" />
      <p className="muted">
        Jobs that failed and wait out their backoff before the next attempt, soonest first. Jobs delayed by their
        producer are on the queue page under{" "}
        <Link to={`/queues/${encodeURIComponent(d.queue)}?state=delayed`}>delayed</Link>.
      </p>
      <Flash result={result} />
      <Form method="get" className="form-row">
        <QueueSelect names={d.names} defaultValue={d.queue} />
        <button type="submit" className="btn">
          Show
        </button>
      </Form>
      {d.complete ? null : (
        <p>
          <Badge tone="warn">counted among the soonest delayed jobs only: the delayed set is very large</Badge>
        </p>
      )}
      {d.rows.length === 0 ? (
        <Empty title={`No retries waiting in ${d.queue}.`}>
          A job whose attempt failed with a retryable error waits here until its next attempt.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="stack-sm">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Last error</th>
                <th scope="col">Attempt</th>
                <th scope="col">Next attempt</th>
                {canChange ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <tr key={r.id} data-retrying-id={r.id}>
                  <td>
                    <Link
                      className="mono break-all"
                      to={`/jobs/${encodeURIComponent(d.queue)}/${encodeURIComponent(r.id)}`}
                    >
                      {r.id}
                    </Link>
                    <div className="muted">
                      {r.type} {r.to ? `→ ${r.to}` : ""}
                    </div>
                  </td>
                  <td data-label="Last error">
                    <span className="error-text">{r.error || "—"}</span>
                  </td>
                  <td data-label="Attempt" data-attempt title={`failed ${r.attempts} times so far`}>
                    {/* attempts counts the failed runs; the next one is the attempt this waits for. */}
                    {formatNumber(r.attempts + 1)} of {r.maxAttempts === null ? "?" : formatNumber(r.maxAttempts)}
                  </td>
                  <td data-label="Next attempt">
                    {r.nextAt ? (
                      <>
                        {formatAgo(r.nextAt, d.now)}{" "}
                        <time className="muted" dateTime={new Date(r.nextAt).toISOString()}>
                          {formatTime(r.nextAt)}
                        </time>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  {canChange ? (
                    <td>
                      <Form method="post" className="row-actions">
                        <input type="hidden" name="queue" value={d.queue} />
                        <input type="hidden" name="id" value={r.id} />
                        <button type="submit" name="intent" value="run-now" className="btn">
                          Run now
                        </button>
                      </Form>
                    </td>
                  ) : null}
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
