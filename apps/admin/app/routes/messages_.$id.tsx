// One message from the log (#14; #15 item 3): summary, and the timeline with each attempt's
// times, duration and error, then the provider's events.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { MessageTimeline } from "../components/message-timeline.tsx";
import { Badge, PageHeader } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { messageView, STATUS_TONE } from "../lib/message-view.ts";
import { requireAdmin } from "../lib/session.server.ts";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const id = params.id ?? "";
  return messageView(await load((c) => c.messages.get.query({ id })));
}

export default function Message() {
  const m = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`Message ${m.id}`}>
        <Link className="btn" to={`/jobs/${encodeURIComponent(m.queue)}/${encodeURIComponent(m.id)}`}>
          Job
        </Link>
        <Link className="btn" to="/messages">
          ← Messages
        </Link>
      </PageHeader>
      <div className="grid-2">
        <section className="card">
          <h2>Summary</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <Badge tone={STATUS_TONE[m.status]}>{m.status}</Badge>
            </dd>
            <dt>To</dt>
            <dd className="mono">{m.to}</dd>
            <dt>Template</dt>
            <dd>
              {m.channel} · {m.template}
            </dd>
            <dt>Attempts</dt>
            <dd data-testid="message-attempts">{m.attempts}</dd>
            {m.provider ? (
              <>
                <dt>Provider</dt>
                <dd>
                  {m.provider} <span className="mono">{m.providerMessageId}</span>
                </dd>
              </>
            ) : null}
            {m.batchId ? (
              <>
                <dt>Batch</dt>
                <dd className="mono">{m.batchId}</dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="card">
          <h2>Timeline</h2>
          <MessageTimeline message={m} />
        </section>
      </div>
    </>
  );
}
