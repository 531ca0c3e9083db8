import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  ActionButton,
  Badge,
  ConfirmButton,
  ConfirmForm,
  Empty,
  Flash,
  PageHeader,
  Pager,
  Stat,
  useCanChange,
} from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatNumber, formatTime } from "../lib/format.ts";
import { COMPLETED_CAP, JOB_STATES, type JobStateName } from "../lib/job-states.ts";
import { jobPage } from "../lib/queue-jobs.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 25;

/** The events worker's queue: its page also shows the events counted by type (seed 000). */
const EMAIL_EVENTS_QUEUE = "email_events";

/** What the time beside a job means in each state. */
const AT_LABEL: Record<JobStateName, string> = {
  pending: "",
  active: "",
  delayed: "due",
  dead: "failed",
  completed: "finished",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const url = new URL(request.url);
  const requested = url.searchParams.get("state");
  const state: JobStateName = JOB_STATES.find((s) => s === requested) ?? "pending";
  const offset = clampInt(url.searchParams.get("offset"), 0, 0, 1_000_000);
  const stats = await load((c) => c.queues.stats.query({ queue }));
  const page = await load((c) => jobPage(c, { queue, state, offset, limit: PAGE }));
  const events = queue === EMAIL_EVENTS_QUEUE ? await load((c) => c.queues.emailEvents.query()) : null;
  return { queue, state, offset, page, stats, events, now: Date.now() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const queue = params.queue ?? "";
  const form = await request.formData();
  const intent = form.get("intent");
  const audit = { actor: session.actor, action: `queue: ${String(intent)}`, target: queue };
  switch (intent) {
    case "pause":
      return act(async (c) => {
        await c.queues.pause.mutate({ queue, reason: "paused from the admin" });
        return `Queue ${queue} paused. Workers stop claiming within a second; nothing is lost.`;
      }, audit);
    case "resume":
      return act(async (c) => {
        await c.queues.resume.mutate({ queue });
        return `Queue ${queue} resumed.`;
      }, audit);
    case "clear": {
      if (form.get("confirm") !== queue)
        return data({ ok: false, message: "Type the queue name to confirm." }, { status: 400 });
      return act(async (c) => {
        const { removed } = await c.queues.clear.mutate({ queue });
        return `Removed ${removed} pending and delayed jobs from ${queue}.`;
      }, audit);
    }
    default:
      break;
  }
  // One waiting job: "run-now:<id>" (delayed) or "remove:<id>" (pending or delayed).
  const [verb = "", id = ""] = String(intent ?? "").split(":", 2);
  const state = form.get("state") === "delayed" ? "delayed" : "pending";
  const one = { actor: session.actor, action: `job: ${verb}`, target: `${queue}/${id}` };
  if (verb === "run-now" && id) {
    return act(async (c) => {
      await c.queues.promote.mutate({ queue, id });
      return `Job ${id} is due now and back in pending.`;
    }, one);
  }
  if (verb === "remove" && id) {
    return act(async (c) => {
      await c.queues.removeJob.mutate({ queue, state, id });
      return `Deleted ${state} job ${id}.`;
    }, one);
  }
  return data({ ok: false, message: "Unknown action." }, { status: 400 });
}

export default function QueuePage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const s = d.stats;
  const canChange = useCanChange();
  const waiting = d.state === "pending" || d.state === "delayed";
  return (
    <>
      <PageHeader title={`Queue: ${d.queue}`}>
        {s.paused ? (
          <ActionButton intent="resume" label="Resume" tone="primary" />
        ) : (
          <ActionButton intent="pause" label="Pause" />
        )}
        <ConfirmForm
          intent="clear"
          label="Clear queue"
          word={d.queue}
          description="Removes every pending and delayed job. Active and dead jobs stay."
        />
      </PageHeader>
      <Flash result={result} />
      {s.paused ? (
        <p>
          <Badge tone="warn">paused{s.pausedReason ? `: ${s.pausedReason}` : ""}</Badge>
        </p>
      ) : null}
      <div className="grid">
        <Stat label="Pending" value={s.pending} />
        <Stat label="Active" value={s.active} />
        <Stat label="Delayed" value={s.delayed} />
        <Stat label="Dead" value={s.dead} tone={s.dead > 0 ? "danger" : undefined} />
        <Stat label="Processed" value={s.processed ?? 0} />
        <Stat label="Failed attempts" value={s.failed ?? 0} hint="each failed try; jobs that gave up are Dead" />
        <Stat label="Workers" value={s.workers ?? 0} />
      </div>
      {d.events ? (
        <section className="section" aria-label="Email events by type">
          <h2>Email events by type</h2>
          <div className="grid">
            {Object.entries(d.events.counts).map(([type, count]) => (
              <Stat key={type} label={type} value={count} />
            ))}
          </div>
          <h2>New users by group</h2>
          {Object.keys(d.events.newUsers.groups).length === 0 ? (
            <Empty title="No new users yet." />
          ) : (
            <ul>
              {Object.entries(d.events.newUsers.groups).map(([group, count]) => (
                <li key={group}>
                  <span className="mono">{group}</span>: {count}
                </li>
              ))}
            </ul>
          )}
          {d.events.newUsers.overflow > 0 ? (
            <p>
              <Badge tone="warn">{d.events.newUsers.overflow} new users not kept: a cap was reached</Badge>
            </p>
          ) : null}
        </section>
      ) : null}
      <section className="section">
        <nav className="tabs" aria-label="Job state">
          {JOB_STATES.map((state) => (
            <Link key={state} to={`?state=${state}`} replace aria-current={state === d.state ? "page" : undefined}>
              {state}
              {state === "completed"
                ? ` (newest ${formatNumber(COMPLETED_CAP)}${state === d.state ? `: ${formatNumber(d.page.total)}` : ""})`
                : ` (${s[state]})`}
            </Link>
          ))}
        </nav>
        {d.state === "dead" ? (
          <p>
            <Link to={`/dead-letters?queue=${encodeURIComponent(d.queue)}`}>
              Open dead letters to retry or delete →
            </Link>
          </p>
        ) : null}
        {d.page.rows.length === 0 ? (
          <Empty title={`No ${d.state} jobs.`} />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Type</th>
                  <th scope="col">To</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">
                    {d.state === "dead"
                      ? "Error"
                      : d.state === "delayed"
                        ? "Due (next attempt) and last error"
                        : "Note"}
                  </th>
                  {waiting && canChange ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {d.page.rows.map((j) => (
                  <tr key={j.id}>
                    <td className="mono">
                      <Link to={`/jobs/${encodeURIComponent(d.queue)}/${encodeURIComponent(j.id)}`}>{j.id}</Link>
                    </td>
                    <td>{j.type}</td>
                    <td className="mono">{j.to || "—"}</td>
                    <td className="num">{j.attempts}</td>
                    <td>
                      {d.state === "delayed" ? (
                        j.retrying ? (
                          <Link to={`/retrying?queue=${encodeURIComponent(d.queue)}`}>
                            <Badge tone="warn">retrying</Badge>
                          </Link>
                        ) : (
                          <Badge>scheduled</Badge>
                        )
                      ) : null}{" "}
                      <span className={d.state === "dead" || d.state === "delayed" ? "error-text" : "muted"}>
                        {j.note}
                      </span>
                      {j.at ? (
                        <span className="muted">
                          {" "}
                          {AT_LABEL[d.state]} {formatAgo(j.at, d.now)}{" "}
                          <time dateTime={new Date(j.at).toISOString()}>{formatTime(j.at)}</time>
                        </span>
                      ) : null}
                    </td>
                    {waiting && canChange ? (
                      <td>
                        <Form method="post" className="row-actions">
                          <input type="hidden" name="state" value={d.state} />
                          {d.state === "delayed" ? (
                            <button type="submit" name="intent" value={`run-now:${j.id}`} className="btn">
                              Run now
                            </button>
                          ) : null}
                          <ConfirmButton
                            standalone={false}
                            intent={`remove:${j.id}`}
                            label="Delete"
                            tone="danger"
                            description={`Deletes ${d.state} job ${j.id} for good.`}
                          />
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager offset={d.offset} limit={PAGE} total={d.page.total} base={params} />
      </section>
    </>
  );
}
