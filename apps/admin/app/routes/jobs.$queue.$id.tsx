import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { JsonView } from "../components/json-view.tsx";
import { MessageTimeline } from "../components/message-timeline.tsx";
import { ActionButton, Badge, ConfirmButton, Flash, PageHeader, useCanChange } from "../components/ui.tsx";
import { act, load, loadOptional } from "../lib/api.server.ts";
import { formatTime } from "../lib/format.ts";
import { jsonPreview, textPreview } from "../lib/json-text.ts";
import { messageView } from "../lib/message-view.ts";
import { requireAdmin } from "../lib/session.server.ts";
import { buildTimeline } from "../lib/timeline.ts";

/** What the API's `at` means in each state. */
const AT_LABEL: Record<string, string> = { delayed: "runAt", completed: "finishedAt", dead: "failedAt" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const revealed = new URL(request.url).searchParams.get("reveal") === "1";
  const [found, logged] = await Promise.all([
    load((c) => c.jobs.get.query({ queue, id })),
    // Email and SMS have a per-attempt history in the message log; other jobs do not.
    loadOptional((c) => c.messages.get.query({ id })),
  ]);
  const job = (found.job ?? {}) as Record<string, unknown>;
  const mask = !revealed;
  const download = `/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(id)}/download`;
  return {
    queue,
    id,
    revealed,
    state: found.state,
    attempts: found.attempts,
    workerId: found.workerId ?? null,
    // Masked on the server, and only a bounded preview: unrevealed addresses and secrets never
    // leave it, and a payload of megabytes never becomes a page of megabytes.
    payload: found.job ? jsonPreview(found.job, { mask }) : textPreview(found.raw ?? "", { mask }),
    parsed: found.job !== null,
    download: revealed ? `${download}?reveal=1` : download,
    error: found.lastError ? textPreview(found.lastError, { mask, limit: 4_096 }).text : null,
    reason: found.reason,
    timeline: buildTimeline(job, { [AT_LABEL[found.state] ?? "at"]: found.at }),
    history: logged && logged.queue === queue ? messageView(logged) : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const intent = (await request.formData()).get("intent");
  const audit = { actor: session.actor, action: `job: ${String(intent)}`, target: `${queue}/${id}` };
  if (intent === "retry") {
    return act(async (c) => {
      await c.dlq.retry.mutate({ queue, id });
      return `Job ${id} is back in ${queue}.`;
    }, audit);
  }
  if (intent === "delete") {
    const result = await act(async (c) => {
      await c.dlq.delete.mutate({ queue, id });
      return `Deleted ${id}.`;
    }, audit);
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
            <ConfirmButton intent="delete" label="Delete" tone="danger" description={`Deletes ${d.id} for good.`} />
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
      {d.history ? (
        <section className="section">
          <h2>History</h2>
          <p className="muted">
            Every attempt from the message log, across retries from dead letters.{" "}
            <Link to={`/messages/${encodeURIComponent(d.id)}`}>Message page</Link>
          </p>
          <MessageTimeline message={d.history} />
        </section>
      ) : null}
      <section className="section">
        <h2>Payload</h2>
        {d.parsed ? null : <p className="muted">The stored payload is not a valid job; shown as it was written.</p>}
        <JsonView preview={d.payload} revealed={d.revealed} download={d.download} />
      </section>
      {d.state === "dead" && !d.parsed ? <EditLink queue={d.queue} id={d.id} /> : null}
    </>
  );
}

/** An unparseable dead letter is fixed by hand on its own page (no live refresh while typing). */
function EditLink({ queue, id }: { queue: string; id: string }) {
  if (!useCanChange()) return null;
  return (
    <section className="section">
      <h2>Edit and retry</h2>
      <p>
        <Link className="btn" to={`/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(id)}/edit`}>
          Edit raw body
        </Link>
      </p>
    </section>
  );
}
