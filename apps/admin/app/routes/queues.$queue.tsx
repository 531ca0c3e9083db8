import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { ActionButton, Badge, ConfirmForm, Empty, Flash, PageHeader, Pager, Stat } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { clampInt, formatAgo, formatTime } from "../lib/format.ts";
import { JOB_STATES, type JobStateName } from "../lib/job-states.ts";
import { jobPage } from "../lib/queue-jobs.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

const PAGE = 25;

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
  return { queue, state, offset, page, stats, now: Date.now() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const form = await request.formData();
  const intent = form.get("intent");
  switch (intent) {
    case "pause":
      return act(async (c) => {
        await c.queues.pause.mutate({ queue, reason: "paused from the admin" });
        return `Queue ${queue} paused. Workers stop claiming within a second; nothing is lost.`;
      });
    case "resume":
      return act(async (c) => {
        await c.queues.resume.mutate({ queue });
        return `Queue ${queue} resumed.`;
      });
    case "clear": {
      if (form.get("confirm") !== queue)
        return data({ ok: false, message: "Type the queue name to confirm." }, { status: 400 });
      return act(async (c) => {
        const { removed } = await c.queues.clear.mutate({ queue });
        return `Removed ${removed} pending and delayed jobs from ${queue}.`;
      });
    }
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

export default function QueuePage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const s = d.stats;
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
        <Stat label="Failed" value={s.failed ?? 0} />
        <Stat label="Workers" value={s.workers ?? 0} />
      </div>
      <section className="section">
        <nav className="tabs" aria-label="Job state">
          {JOB_STATES.map((state) => (
            <Link key={state} to={`?state=${state}`} replace aria-current={state === d.state ? "page" : undefined}>
              {state}
              {state === "completed" ? (state === d.state ? ` (${d.page.total})` : "") : ` (${s[state]})`}
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
                  <th scope="col">{d.state === "dead" ? "Error" : d.state === "delayed" ? "Due" : "Note"}</th>
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
                      <span className={d.state === "dead" ? "error-text" : "muted"}>{j.note}</span>
                      {j.at ? (
                        <span className="muted">
                          {" "}
                          {AT_LABEL[d.state]} {formatAgo(j.at, d.now)}{" "}
                          <time dateTime={new Date(j.at).toISOString()}>{formatTime(j.at)}</time>
                        </span>
                      ) : null}
                    </td>
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
