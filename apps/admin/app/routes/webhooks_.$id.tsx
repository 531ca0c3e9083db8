// One webhook endpoint: its secret (revealed on request), its latest deliveries (status, duration,
// error) and its dead letters, each of which can be sent again once the receiver is fixed.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionButton, Badge, Empty, Flash, PageHeader } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatDuration, formatTime } from "../lib/format.ts";
import { cellText } from "../lib/json-text.ts";
import { maskText } from "../lib/masking.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const id = params.id ?? "";
  const reveal = new URL(request.url).searchParams.get("reveal") === "1";
  const found = await load((c) => c.webhooks.get.query({ id }));
  return {
    id,
    url: cellText(found.endpoint.url, 300),
    events: found.endpoint.events,
    paused: found.endpoint.paused ? cellText(found.endpoint.paused.reason, 200) : null,
    secret: reveal ? found.endpoint.secret : null,
    failuresInARow: found.failuresInARow,
    deliveries: found.deliveries.map((d) => ({
      ...d,
      error: d.error ? maskText(cellText(d.error, 300)) : null,
    })),
    deadLetters: found.deadLetters.map((d) => ({
      id: d.id,
      reason: d.reason,
      error: maskText(cellText(d.error, 300)),
      failedAt: d.failedAt,
      eventType: typeof d.job?.data.eventType === "string" ? d.job.data.eventType : "",
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const id = params.id ?? "";
  const form = await request.formData();
  if (form.get("intent") === "retry") {
    const job = String(form.get("job") ?? "");
    return act(
      async (c) => {
        await c.dlq.retry.mutate({ queue: "webhooks", id: job });
        return `Event ${job} queued again.`;
      },
      { actor: session.actor, action: "webhook: send again", target: `${id}/${job}` },
    );
  }
  if (form.get("intent") === "test")
    return act(async (c) => `Test event ${(await c.webhooks.sendTest.mutate({ id })).eventId} queued.`, {
      actor: session.actor,
      action: "webhook: test",
      target: id,
    });
  return { ok: false, message: "Unknown action." };
}

export default function WebhookEndpointPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={`Webhook ${d.id}`}>
        <ActionButton intent="test" label="Send test event" tone="primary" />
        <Link className="btn" to="/webhooks">
          ← Webhooks
        </Link>
      </PageHeader>
      <Flash result={result} />
      <section className="card">
        <dl className="facts">
          <dt>URL</dt>
          <dd className="mono">{d.url}</dd>
          <dt>Events</dt>
          <dd>{d.events.join(", ")}</dd>
          <dt>State</dt>
          <dd>{d.paused ? <Badge tone="warn">paused: {d.paused}</Badge> : <Badge tone="ok">active</Badge>}</dd>
          <dt>Failures in a row</dt>
          <dd>{d.failuresInARow}</dd>
          <dt>Secret</dt>
          <dd className="mono">{d.secret ?? <Link to="?reveal=1">Reveal</Link>}</dd>
        </dl>
      </section>
      <section className="section">
        <h2>Latest deliveries</h2>
        {d.deliveries.length === 0 ? (
          <Empty title="Nothing delivered yet." />
        ) : (
          <div className="table-wrap">
            <table aria-label="Deliveries">
              <thead>
                <tr>
                  <th scope="col">At</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Result</th>
                  <th scope="col">Took</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {d.deliveries.map((x) => (
                  <tr key={`${x.eventId}:${x.attempt}:${x.at}`}>
                    <td>{formatTime(x.at)}</td>
                    <td className="mono">
                      {x.eventType} {x.eventId}
                    </td>
                    <td>{x.attempt}</td>
                    <td>
                      <Badge tone={x.ok ? "ok" : "danger"}>{x.status ?? "no reply"}</Badge>
                    </td>
                    <td>{formatDuration(x.durationMs)}</td>
                    <td className="mono">{x.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="section">
        <h2>Dead letters</h2>
        {d.deadLetters.length === 0 ? (
          <Empty title="No dead letter for this endpoint." />
        ) : (
          <div className="table-wrap">
            <table aria-label="Dead letters">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Error</th>
                  <th scope="col">Failed</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {d.deadLetters.map((x) => (
                  <tr key={x.id}>
                    <td className="mono">
                      {x.eventType} {x.id}
                    </td>
                    <td>{x.reason}</td>
                    <td className="mono">{x.error}</td>
                    <td>{formatTime(x.failedAt)}</td>
                    <td>
                      <ActionButton intent="retry" label="Send again" fields={{ job: x.id }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
