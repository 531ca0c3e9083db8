import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { type ChangeEvent, type FormEvent, useState } from "react";
import {
  Badge,
  ConfirmButton,
  ConfirmForm,
  Empty,
  Flash,
  PageHeader,
  Pager,
  QueueSelect,
  useCanChange,
} from "../components/ui.tsx";
import { act, describeApiError, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatNumber, formatTime } from "../lib/format.ts";
import { cellId, cellText } from "../lib/json-text.ts";
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
    id: cellId(e.id),
    type: typeof e.job?.type === "string" ? cellText(e.job.type, 80) : null,
    to: typeof e.job?.to === "string" ? cellText(e.job.to) : null,
    error: cellText(e.error, 500),
    reason: e.reason,
    attempts: e.attempts,
    failedAt: e.failedAt,
  }));
  return { names, queue, error: error ?? "", offset, total: page.total, entries, now: Date.now() };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const queue = String(form.get("queue") ?? "");
  const intent = String(form.get("intent") ?? "");
  const selected = form.getAll("id").map(String);
  const [verb = "", one = ""] = intent.split(":", 2);
  const audit = (target: string) => ({ actor: session.actor, action: `dead letters: ${verb}`, target });
  switch (verb) {
    case "retry":
      return act(
        async (c) => {
          await c.dlq.retry.mutate({ queue, id: one });
          return `Job ${one} is back in ${queue}.`;
        },
        audit(`${queue}/${one}`),
      );
    case "delete":
      return act(
        async (c) => {
          await c.dlq.delete.mutate({ queue, id: one });
          return `Deleted ${one}.`;
        },
        audit(`${queue}/${one}`),
      );
    case "retry-selected":
    case "delete-selected": {
      if (selected.length === 0) return data({ ok: false, message: "Select at least one job." }, { status: 400 });
      return act(
        async (c) => {
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
        },
        audit(
          `${queue}: ${selected.slice(0, 5).join(", ")}${selected.length > 5 ? ` and ${selected.length - 5} more` : ""}`,
        ),
      );
    }
    case "retry-all": {
      const error = String(form.get("error") ?? "").trim();
      return act(
        async (c) => {
          const { retried } = await c.dlq.retryAll.mutate({ queue, ...(error ? { error } : {}) });
          return `Retried ${retried} jobs${error ? ` whose error contains "${error}"` : ""}.`;
        },
        audit(error ? `${queue} (error contains "${error}")` : queue),
      );
    }
    case "purge": {
      if (form.get("confirm") !== queue)
        return data({ ok: false, message: "Type the queue name to confirm." }, { status: 400 });
      return act(
        async (c) => `Purged ${(await c.dlq.purge.mutate({ queue })).purged} dead letters from ${queue}.`,
        audit(queue),
      );
    }
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

/** Ticks or unticks every row of the table the box sits in (JavaScript only; without it, use Retry all). */
function selectAll(event: ChangeEvent<HTMLInputElement>): void {
  const table = event.currentTarget.closest("table");
  for (const box of table?.querySelectorAll<HTMLInputElement>('input[name="id"]') ?? []) {
    box.checked = event.currentTarget.checked;
  }
}

/**
 * A new action result remounts the table's form: every box unticked, no stale selection. The
 * result last seen is state, not a ref, for the reason Flash gives (components/ui.tsx).
 */
function useResultGeneration(result: unknown): number {
  const [generation, setGeneration] = useState(0);
  const [seen, setSeen] = useState(result);
  if (result && result !== seen) {
    setSeen(result);
    setGeneration((g) => g + 1);
  }
  return generation;
}

export default function DeadLetters() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const generation = useResultGeneration(result);
  const canChange = useCanChange();
  return (
    <>
      <PageHeader title="Dead letters">
        {d.total > 0 ? (
          <>
            <ConfirmButton
              intent="retry-all"
              label={d.error ? "Retry all matching" : "Retry all"}
              fields={{ queue: d.queue, error: d.error }}
              description={
                d.error
                  ? `Moves every dead letter of ${d.queue} whose error contains "${d.error}" (${formatNumber(d.total)}) back to pending.`
                  : `Moves all ${formatNumber(d.total)} dead letters of ${d.queue} back to pending.`
              }
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
        <Form method="post" key={generation} onSubmit={closePopovers}>
          <input type="hidden" name="queue" value={d.queue} />
          {canChange ? (
            <div className="form-row">
              <button type="submit" name="intent" value="retry-selected" className="btn">
                Retry selected
              </button>
              <ConfirmButton
                standalone={false}
                intent="delete-selected"
                label="Delete selected"
                tone="danger"
                description="Deletes the ticked dead letters for good."
              />
            </div>
          ) : null}
          <div className="table-wrap">
            <table className="stack-sm">
              <thead>
                <tr>
                  <th scope="col">
                    {canChange ? (
                      <input type="checkbox" aria-label="Select every job on this page" onChange={selectAll} />
                    ) : (
                      <span className="visually-hidden">Select</span>
                    )}
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
                      {canChange ? (
                        <input type="checkbox" name="id" value={e.id} aria-label={`Select ${e.id}`} />
                      ) : null}
                    </td>
                    <td>
                      <Link
                        className="mono break-all"
                        to={`/jobs/${encodeURIComponent(d.queue)}/${encodeURIComponent(e.id)}`}
                      >
                        {e.id}
                      </Link>
                      <div className="muted">
                        {e.type ?? "unparseable"} {e.to ? `→ ${e.to}` : ""}
                      </div>
                    </td>
                    <td>
                      <Badge tone="danger">{e.reason}</Badge> <span className="error-text">{e.error}</span>
                    </td>
                    <td className="num" data-label="Attempts">
                      {e.attempts}
                    </td>
                    <td data-label="Failed">
                      <time dateTime={new Date(e.failedAt).toISOString()} title={formatTime(e.failedAt)}>
                        {formatAgo(e.failedAt, d.now)}
                      </time>
                    </td>
                    <td>
                      {canChange ? (
                        <div className="row-actions">
                          <button type="submit" name="intent" value={`retry:${e.id}`} className="btn">
                            Retry
                          </button>
                          <ConfirmButton
                            standalone={false}
                            intent={`delete:${e.id}`}
                            label="Delete"
                            tone="danger"
                            description={`Deletes ${e.id} for good.`}
                          />
                        </div>
                      ) : null}
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

/** After any submit of the table's form the confirmation popovers in it close. */
function closePopovers(event: FormEvent<HTMLFormElement>): void {
  for (const popover of event.currentTarget.querySelectorAll("details")) popover.open = false;
}
