import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { ActionButton, Badge, ConfirmForm, Empty, Flash, PageHeader, Pager, QueueSelect } from "../components/ui.tsx";
import { act, describeApiError, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, maskText, maskValue } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 25;

function pickQueue(url: URL, names: string[]): string {
  const asked = url.searchParams.get("queue");
  return asked && names.includes(asked) ? asked : (names[0] ?? "email");
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const names = await load(queueNames);
  const queue = pickQueue(url, names);
  const error = url.searchParams.get("error")?.trim() || undefined;
  const offset = clampInt(url.searchParams.get("offset"), 0, 0, 1_000_000);
  const page = await load((c) => c.dlq.list.query({ queue, offset, limit: PAGE, ...(error ? { error } : {}) }));
  const entries = page.entries.map((e) => ({
    id: e.id,
    type: typeof e.job?.type === "string" ? e.job.type : null,
    to: typeof e.job?.to === "string" ? maskText(e.job.to) : null,
    error: maskText(e.error),
    reason: e.reason,
    attempts: e.attempts,
    failedAt: e.failedAt,
    raw: e.job ? null : maskValue(e.raw),
  }));
  return { names, queue, error: error ?? "", offset, total: page.total, entries, now: Date.now() };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  const form = await request.formData();
  const queue = String(form.get("queue") ?? "");
  const intent = String(form.get("intent") ?? "");
  const selected = form.getAll("id").map(String);
  const [verb, one] = intent.split(":", 2);
  switch (verb) {
    case "retry":
      return act(async (c) => {
        await c.dlq.retry.mutate({ queue, id: one ?? "" });
        return `Job ${one} is back in ${queue}.`;
      });
    case "delete":
      return act(async (c) => {
        await c.dlq.delete.mutate({ queue, id: one ?? "" });
        return `Deleted ${one}.`;
      });
    case "retry-selected":
    case "delete-selected": {
      if (selected.length === 0) return data({ ok: false, message: "Select at least one job." }, { status: 400 });
      return act(async (c) => {
        let done = 0;
        for (const id of selected) {
          // One gone meanwhile (retried by someone else) must not stop the rest.
          try {
            if (verb === "retry-selected") await c.dlq.retry.mutate({ queue, id });
            else await c.dlq.delete.mutate({ queue, id });
            done++;
          } catch (error) {
            if (describeApiError(error).kind !== "not-found") throw error;
          }
        }
        return `${verb === "retry-selected" ? "Retried" : "Deleted"} ${done} of ${selected.length} selected jobs.`;
      });
    }
    case "retry-all": {
      const error = String(form.get("error") ?? "").trim();
      return act(async (c) => {
        const { retried } = await c.dlq.retryAll.mutate({ queue, ...(error ? { error } : {}) });
        return `Retried ${retried} jobs${error ? ` whose error contains "${error}"` : ""}.`;
      });
    }
    case "purge": {
      if (form.get("confirm") !== queue)
        return data({ ok: false, message: "Type the queue name to confirm." }, { status: 400 });
      return act(async (c) => `Purged ${(await c.dlq.purge.mutate({ queue })).purged} dead letters from ${queue}.`);
    }
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

export default function DeadLetters() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <>
      <PageHeader title="Dead letters">
        {d.total > 0 ? (
          <>
            <ActionButton
              intent="retry-all"
              label={d.error ? "Retry all matching" : "Retry all"}
              fields={{ queue: d.queue, error: d.error }}
            />
            <ConfirmForm
              intent="purge"
              label="Purge"
              word={d.queue}
              fields={{ queue: d.queue }}
              description={`Deletes every dead letter of ${d.queue} for good.`}
            />
          </>
        ) : null}
      </PageHeader>
      <Flash result={result} />
      <Form method="get" className="form-row">
        <QueueSelect names={d.names} defaultValue={d.queue} />
        <label>
          Error contains
          <input type="search" name="error" defaultValue={d.error} placeholder="e.g. invalid address" />
        </label>
        <button type="submit" className="btn">
          Filter
        </button>
      </Form>
      {d.entries.length === 0 ? (
        <Empty title={d.error ? "No dead letters match." : `No dead letters in ${d.queue}.`}>
          Jobs that fail permanently or run out of attempts land here with their error.
        </Empty>
      ) : (
        <Form method="post">
          <input type="hidden" name="queue" value={d.queue} />
          <div className="form-row">
            <button type="submit" name="intent" value="retry-selected" className="btn">
              Retry selected
            </button>
            <button type="submit" name="intent" value="delete-selected" className="btn btn-danger">
              Delete selected
            </button>
          </div>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Select</span>
                  </th>
                  <th scope="col">Job</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Failed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.entries.map((e) => (
                  <tr key={e.id} data-dead-id={e.id}>
                    <td>
                      <input type="checkbox" name="id" value={e.id} aria-label={`Select ${e.id}`} />
                    </td>
                    <td>
                      <Link className="mono" to={`/jobs/${encodeURIComponent(d.queue)}/${encodeURIComponent(e.id)}`}>
                        {e.id}
                      </Link>
                      <div className="muted">
                        {e.type ?? "unparseable"} {e.to ? `→ ${e.to}` : ""}
                      </div>
                    </td>
                    <td>
                      <Badge tone="danger">{e.reason}</Badge> <span className="error-text">{e.error}</span>
                    </td>
                    <td className="num">{e.attempts}</td>
                    <td>{formatAgo(e.failedAt, d.now)}</td>
                    <td>
                      <button type="submit" name="intent" value={`retry:${e.id}`} className="btn">
                        Retry
                      </button>{" "}
                      <button type="submit" name="intent" value={`delete:${e.id}`} className="btn btn-ghost">
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Form>
      )}
      <Pager offset={d.offset} limit={PAGE} total={d.total} base={params} />
    </>
  );
}
