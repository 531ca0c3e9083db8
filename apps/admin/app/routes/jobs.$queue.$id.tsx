import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { JsonView } from "../components/json-view.tsx";
import { ActionButton, Badge, Flash, PageHeader } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatTime, maskText, maskValue } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";
import { buildTimeline } from "../lib/timeline.ts";

/** What the API's `at` means in each state. */
const AT_LABEL: Record<string, string> = { delayed: "runAt", completed: "finishedAt", dead: "failedAt" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const revealed = new URL(request.url).searchParams.get("reveal") === "1";
  const found = await load((c) => c.jobs.get.query({ queue, id }));
  const job = (found.job ?? {}) as Record<string, unknown>;
  const error = found.lastError;
  return {
    queue,
    id,
    revealed,
    state: found.state,
    attempts: found.attempts,
    workerId: found.workerId ?? null,
    // Masked on the server: unrevealed addresses never leave it.
    job: revealed ? job : maskValue(job),
    error: error && !revealed ? maskText(error) : error,
    reason: found.reason,
    raw: found.raw && !revealed ? maskText(found.raw) : found.raw,
    timeline: buildTimeline(job, { [AT_LABEL[found.state] ?? "at"]: found.at }),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const intent = (await request.formData()).get("intent");
  if (intent === "retry") {
    return act(async (c) => {
      await c.dlq.retry.mutate({ queue, id });
      return `Job ${id} is back in ${queue}.`;
    });
  }
  if (intent === "delete") {
    const result = await act(async (c) => {
      await c.dlq.delete.mutate({ queue, id });
      return `Deleted ${id}.`;
    });
    // The job page has nothing left to show once the dead letter is gone.
    if (result.ok) throw redirect(`/dead-letters?queue=${encodeURIComponent(queue)}`);
    return result;
  }
  return data({ ok: false, message: "Unknown action." }, { status: 400 });
}

const STATE_TONE: Record<string, string> = { dead: "danger", completed: "ok", active: "warn" };

export default function JobPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={`Job ${d.id}`}>
        {d.state === "dead" ? (
          <>
            <ActionButton intent="retry" label="Retry" tone="primary" />
            <ActionButton intent="delete" label="Delete" tone="danger" />
          </>
        ) : null}
        <Link className="btn" to={`/queues/${encodeURIComponent(d.queue)}`}>
          ← {d.queue}
        </Link>
        {d.state === "dead" ? (
          <Link className="btn" to={`/dead-letters?queue=${encodeURIComponent(d.queue)}`}>
            Dead letters
          </Link>
        ) : null}
      </PageHeader>
      <Flash result={result} />
      <div className="grid-2">
        <section className="card">
          <h2>Summary</h2>
          <dl className="facts">
            <dt>State</dt>
            <dd>
              <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
            </dd>
            <dt>Queue</dt>
            <dd>{d.queue}</dd>
            <dt>Attempts</dt>
            <dd>{d.attempts}</dd>
            {d.reason ? (
              <>
                <dt>Reason</dt>
                <dd>{d.reason}</dd>
              </>
            ) : null}
            {d.workerId ? (
              <>
                <dt>Worker</dt>
                <dd className="mono">{d.workerId}</dd>
              </>
            ) : null}
          </dl>
          {d.error ? (
            <>
              <h3>Last error</h3>
              <pre className="json error-text">{d.error}</pre>
            </>
          ) : null}
        </section>
        <section className="card">
          <h2>Timeline</h2>
          {d.timeline.length === 0 ? (
            <p className="muted">No timestamps recorded for this job.</p>
          ) : (
            <ol className="timeline">
              {d.timeline.map((e) => (
                <li key={e.label} className={e.bad ? "bad" : undefined}>
                  <strong>{e.label}</strong> <span className="muted">{formatTime(e.at)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <section className="section">
        <h2>Payload</h2>
        {d.raw ? (
          <>
            <p className="muted">The stored payload is not a valid job; shown as it was written.</p>
            <pre className="json">{d.raw}</pre>
          </>
        ) : (
          <JsonView value={d.job} revealed={d.revealed} />
        )}
      </section>
    </>
  );
}
