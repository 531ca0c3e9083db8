import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Empty, Flash, PageHeader, QueueSelect } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatAgo, maskValue } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const names = await load(queueNames);
  const perQueue = await Promise.all(
    names.map(async (queue) => (await load((c) => c.schedules.list.query({ queue }))).map((s) => ({ queue, ...s }))),
  );
  const schedules = perQueue.flat().map((s) => ({
    queue: s.queue,
    name: s.name,
    cron: s.cron,
    tz: s.tz ?? null,
    nextRunAt: s.nextRunAt,
    job: JSON.stringify(maskValue(s.job)),
  }));
  return { names, schedules, now: Date.now() };
}

const EXAMPLE_JOB = JSON.stringify({ type: "welcome", to: "ops@example.com", data: { user_name: "Ops" } }, null, 2);

export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const queue = String(form.get("queue") ?? "");
  const name = String(form.get("name") ?? "").trim();
  if (intent === "delete") {
    return act(async (c) => {
      await c.schedules.delete.mutate({ queue, name });
      return `Schedule ${name} deleted.`;
    });
  }
  if (intent !== "create") return data({ ok: false, message: "Unknown action." }, { status: 400 });
  let job: { type: string; to?: string; data?: Record<string, unknown> };
  try {
    job = JSON.parse(String(form.get("job") ?? ""));
  } catch {
    return data({ ok: false, message: "The job is not valid JSON." }, { status: 400 });
  }
  const tz = String(form.get("tz") ?? "").trim();
  const cron = String(form.get("cron") ?? "").trim();
  return act(async (c) => {
    const created = await c.schedules.create.mutate({
      queue,
      name,
      cron,
      ...(tz ? { tz } : {}),
      job: { data: {}, ...job },
    });
    return `Schedule ${created.name} saved; next run ${created.nextRunAt ? new Date(created.nextRunAt).toISOString() : "never"}.`;
  });
}

export default function Schedules() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Schedules" />
      <Flash result={result} />
      {d.schedules.length === 0 ? (
        <Empty title="No recurring jobs.">Create one below; any live worker fires it when due, exactly once.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Queue</th>
                <th scope="col">Cron</th>
                <th scope="col">Next run</th>
                <th scope="col" className="hide-sm">
                  Job
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.schedules.map((s) => (
                <tr key={`${s.queue}:${s.name}`}>
                  <td>{s.name}</td>
                  <td>{s.queue}</td>
                  <td className="mono">
                    {s.cron}
                    {s.tz ? <span className="muted"> ({s.tz})</span> : null}
                  </td>
                  <td>{formatAgo(s.nextRunAt, d.now)}</td>
                  <td className="mono hide-sm">{s.job}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="queue" value={s.queue} />
                      <input type="hidden" name="name" value={s.name} />
                      <button type="submit" name="intent" value="delete" className="btn btn-danger">
                        Delete
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="section card">
        <h2>New schedule</h2>
        <Form method="post" className="form-stack">
          <input type="hidden" name="intent" value="create" />
          <div className="form-row">
            <QueueSelect names={d.names} defaultValue="email" />
            <label>
              Name
              <input name="name" required pattern="[A-Za-z0-9_.:\-]{1,100}" placeholder="daily-digest" />
            </label>
            <label>
              Cron
              <input name="cron" required placeholder="0 9 * * *" className="mono" />
            </label>
            <label>
              Time zone
              <input name="tz" placeholder="Asia/Kolkata" />
            </label>
          </div>
          <label>
            Job (JSON: type, to, data)
            <textarea name="job" rows={6} defaultValue={EXAMPLE_JOB} required />
          </label>
          <div>
            <button type="submit" className="btn btn-primary">
              Save schedule
            </button>
          </div>
        </Form>
      </section>
    </>
  );
}
