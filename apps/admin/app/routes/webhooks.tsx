// Status webhook endpoints (#14): register one (URL, event types), pause / resume, send a test
// event, delete. An endpoint registered here receives every tenant's messages; its secret is shown
// once, right after it is created, and on its own page.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionButton, Badge, ConfirmForm, Empty, Flash, PageHeader } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { cellText } from "../lib/json-text.ts";
import { requireAdmin } from "../lib/session.server.ts";
import { WEBHOOK_EVENT_TYPES } from "../lib/webhook-events.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const endpoints = await load((c) => c.webhooks.list.query());
  return {
    endpoints: endpoints.map((e) => ({
      id: e.id,
      url: cellText(e.url, 300),
      events: e.events,
      tenant: e.tenant ?? null,
      description: e.description ? cellText(e.description, 200) : null,
      createdAt: e.createdAt,
      paused: e.paused ? { at: e.paused.at, reason: cellText(e.paused.reason, 200) } : null,
    })),
    eventTypes: WEBHOOK_EVENT_TYPES,
  };
}

type Result = { ok: boolean; message: string; secret?: string };

export async function action({ request }: ActionFunctionArgs): Promise<Result> {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const id = String(form.get("id") ?? "");
  const audit = { actor: session.actor, action: `webhook: ${String(intent)}`, target: id };
  if (intent === "create") {
    const events = form.getAll("events").map(String);
    let secret: string | undefined;
    const result = await act(
      async (c) => {
        const created = await c.webhooks.create.mutate({
          url: String(form.get("url") ?? ""),
          events: events as (typeof WEBHOOK_EVENT_TYPES)[number][],
          ...(form.get("description") ? { description: String(form.get("description")) } : {}),
        });
        secret = created.secret;
        return `Endpoint ${created.id} registered. Its signing secret is shown once; keep it with the application.`;
      },
      // Without the query string, which may carry the receiving application's own token.
      { ...audit, target: String(form.get("url") ?? "").split("?")[0] ?? "" },
    );
    return { ...result, ...(secret ? { secret } : {}) };
  }
  if (intent === "pause" || intent === "resume")
    return act(async (c) => {
      await c.webhooks.setPaused.mutate({ id, paused: intent === "pause" });
      return intent === "pause" ? `Paused ${id}.` : `Resumed ${id}.`;
    }, audit);
  if (intent === "test")
    return act(async (c) => {
      const { eventId } = await c.webhooks.sendTest.mutate({ id });
      return `Test event ${eventId} queued for ${id}.`;
    }, audit);
  if (intent === "delete") {
    if (form.get("confirm") !== "delete") return { ok: false, message: "Type delete to confirm." };
    return act(async (c) => {
      await c.webhooks.delete.mutate({ id });
      return `Deleted ${id}.`;
    }, audit);
  }
  return { ok: false, message: "Unknown action." };
}

export default function Webhooks() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  return (
    <>
      <PageHeader title="Webhooks" />
      <Flash result={result} />
      {result?.secret ? (
        <p className="card">
          Signing secret: <code data-testid="webhook-secret">{result.secret}</code>
        </p>
      ) : null}
      <section className="section">
        <h2>Endpoints</h2>
        {d.endpoints.length === 0 ? (
          <Empty title="No endpoint yet." />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Owner</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {d.endpoints.map((e) => (
                  <tr key={e.id}>
                    <td className="mono">
                      <Link to={`/webhooks/${encodeURIComponent(e.id)}`}>{e.id}</Link>
                      {e.description ? <div className="muted">{e.description}</div> : null}
                    </td>
                    <td className="mono">{e.url}</td>
                    <td>{e.events.join(", ")}</td>
                    <td>{e.tenant ?? "all tenants"}</td>
                    <td>
                      {e.paused ? (
                        <Badge tone="warn">paused: {e.paused.reason}</Badge>
                      ) : (
                        <Badge tone="ok">active</Badge>
                      )}
                    </td>
                    <td>
                      <ActionButton intent="test" label="Send test event" fields={{ id: e.id }} />
                      {e.paused ? (
                        <ActionButton intent="resume" label="Resume" tone="primary" fields={{ id: e.id }} />
                      ) : (
                        <ActionButton intent="pause" label="Pause" fields={{ id: e.id }} />
                      )}
                      <ConfirmForm
                        intent="delete"
                        label="Delete"
                        word="delete"
                        fields={{ id: e.id }}
                        description={`Delete ${e.id}? Events queued for it will be dead-lettered.`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="section">
        <h2>Register an endpoint</h2>
        <Form method="post" className="form-row" aria-label="Register an endpoint">
          <input type="hidden" name="intent" value="create" />
          <label>
            URL
            <input type="url" name="url" required size={50} placeholder="https://app.example.com/notify-events" />
          </label>
          <label>
            Description
            <input name="description" maxLength={200} />
          </label>
          <fieldset>
            <legend>Events</legend>
            {d.eventTypes.map((type) => (
              <label key={type} className="check">
                <input type="checkbox" name="events" value={type} defaultChecked /> {type}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="btn btn-primary">
            Register
          </button>
        </Form>
      </section>
    </>
  );
}
