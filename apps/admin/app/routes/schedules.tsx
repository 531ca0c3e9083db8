import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import {
  ActionButton,
  Badge,
  ConfirmButton,
  Empty,
  Flash,
  PageHeader,
  QueueSelect,
  useCanChange,
} from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatAgo, formatTime } from "../lib/format.ts";
import { jsonPreview } from "../lib/json-text.ts";
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
    lastRunAt: s.lastRunAt ?? null,
    disabled: s.disabled === true,
    job: jsonPreview(s.job, { mask: true, indent: 0, limit: 2_000 }).text,
  }));
  return { names, schedules, now: Date.now() };
}

const EXAMPLE_JOB = JSON.stringify({ type: "welcome", to: "ops@example.com", data: { user_name: "Ops" } }, null, 2);

type FormValues = { queue: string; name: string; cron: string; tz: string; job: string };

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const queue = String(form.get("queue") ?? "");
  const name = String(form.get("name") ?? "").trim();
  const audit = { actor: session.actor, action: `schedule: ${intent}`, target: `${queue}/${name}` };
  if (intent === "delete") {
    return act(async (c) => {
      await c.schedules.delete.mutate({ queue, name });
      return `Schedule ${name} deleted.`;
    }, audit);
  }
  if (intent === "run-now") {
    return act(async (c) => {
      const ran = await c.schedules.runNow.mutate({ queue, name });
      return `Schedule ${name} queued job ${ran.jobId}.`;
    }, audit);
  }
  if (intent === "disable" || intent === "enable") {
    return act(async (c) => {
      const updated = await c.schedules.setDisabled.mutate({ queue, name, disabled: intent === "disable" });
      return updated.disabled
        ? `Schedule ${name} disabled; it runs only when run now.`
        : `Schedule ${name} enabled; next run ${updated.nextRunAt ? formatTime(updated.nextRunAt) : "never"}.`;
    }, audit);
  }
  if (intent !== "create") return data({ ok: false as const, message: "Unknown action." }, { status: 400 });
  const values: FormValues = {
    queue,
    name,
    cron: String(form.get("cron") ?? "").trim(),
    tz: String(form.get("tz") ?? "").trim(),
    job: String(form.get("job") ?? ""),
  };
  let job: { type: string; to?: string; data?: Record<string, unknown> };
  try {
    job = JSON.parse(values.job);
  } catch {
    return data(
      {
        ok: false as const,
        message: "Not saved: the job is not valid JSON.",
        fields: { job: "is not valid JSON" },
        values,
      },
      { status: 400 },
    );
  }
  // Saving under a name in use replaces that schedule: say so and wait for a second, explicit yes.
  if (form.get("replace") !== "yes") {
    const existing = await load((c) => c.schedules.list.query({ queue }).catch(() => []));
    if (existing.some((e) => e.name === name)) {
      return data({
        ok: false as const,
        message: `A schedule named ${name} already exists in ${queue}. Saving replaces it.`,
        confirmReplace: true,
        values,
      });
    }
  }
  const result = await act(async (c) => {
    const created = await c.schedules.create.mutate({
      queue,
      name,
      cron: values.cron,
      ...(values.tz ? { tz: values.tz } : {}),
      job: { data: {}, ...job },
    });
    return `Schedule ${created.name} saved; next run ${created.nextRunAt ? formatTime(created.nextRunAt) : "never"}.`;
  }, audit);
  return { ...result, values: result.ok ? null : values };
}

/** "in 3m 12s", ticking every second in the browser; the server's rendering is the first tick. */
function Countdown({ at, serverNow }: { at: number | null; serverNow: number }) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  if (!at) return <>never</>;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTime(at)} data-countdown="">
      {formatAgo(at, now)}
    </time>
  );
}

function FieldError({ fields, name }: { fields: Record<string, string> | undefined; name: string }) {
  const message = fields?.[name];
  if (!message) return null;
  return (
    <span className="field-error" role="alert" data-field-error={name}>
      {message}
    </span>
  );
}

export default function Schedules() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canChange = useCanChange();
  const fields = result && "fields" in result ? result.fields : undefined;
  const values = result && "values" in result ? result.values : null;
  const confirmReplace = Boolean(result && "confirmReplace" in result && result.confirmReplace);
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
                <th scope="col">Last run</th>
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
                <tr key={`${s.queue}:${s.name}`} data-schedule={s.name}>
                  <td>{s.name}</td>
                  <td>{s.queue}</td>
                  <td className="mono">
                    {s.cron}
                    {s.tz ? <span className="muted"> ({s.tz})</span> : null}
                  </td>
                  <td data-label="Next run">
                    {s.disabled ? (
                      <Badge tone="warn">disabled</Badge>
                    ) : (
                      <Countdown at={s.nextRunAt} serverNow={d.now} />
                    )}
                  </td>
                  <td data-label="Last run">
                    {s.lastRunAt ? (
                      <time dateTime={new Date(s.lastRunAt).toISOString()} title={formatTime(s.lastRunAt)}>
                        {formatAgo(s.lastRunAt, d.now)}
                      </time>
                    ) : (
                      "never"
                    )}
                  </td>
                  <td className="mono hide-sm">{s.job}</td>
                  <td>
                    <div className="row-actions">
                      <ActionButton intent="run-now" label="Run now" fields={{ queue: s.queue, name: s.name }} />
                      <ActionButton
                        intent={s.disabled ? "enable" : "disable"}
                        label={s.disabled ? "Enable" : "Disable"}
                        fields={{ queue: s.queue, name: s.name }}
                      />
                      <ConfirmButton
                        intent="delete"
                        label="Delete"
                        tone="danger"
                        fields={{ queue: s.queue, name: s.name }}
                        description={`Deletes the schedule ${s.name}; jobs it already queued stay.`}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canChange ? (
        <section className="section card">
          <h2>New schedule</h2>
          {/* Keyed by the result: a refused save comes back with what was typed, errors under their fields. */}
          <Form method="post" className="form-stack" key={JSON.stringify(values)}>
            <input type="hidden" name="intent" value="create" />
            <div className="form-row">
              <QueueSelect names={d.names} defaultValue={values?.queue ?? "email"} />
              <label>
                Name
                <input
                  name="name"
                  required
                  pattern="[A-Za-z0-9_.:\-]{1,100}"
                  placeholder="daily-digest"
                  defaultValue={values?.name ?? ""}
                />
                <FieldError fields={fields} name="name" />
              </label>
              <label>
                Cron
                <input
                  name="cron"
                  required
                  placeholder="0 9 * * *"
                  className="mono"
                  defaultValue={values?.cron ?? ""}
                />
                <FieldError fields={fields} name="cron" />
              </label>
              <label>
                Time zone
                <input name="tz" placeholder="Asia/Kolkata" defaultValue={values?.tz ?? ""} />
                <FieldError fields={fields} name="tz" />
              </label>
            </div>
            <label>
              Job (JSON: type, to, data)
              <textarea name="job" rows={6} defaultValue={values?.job ?? EXAMPLE_JOB} required />
              <FieldError fields={fields} name="job" />
            </label>
            <div className="form-row">
              {confirmReplace ? (
                <button type="submit" name="replace" value="yes" className="btn btn-danger">
                  Replace {values?.name}
                </button>
              ) : (
                <button type="submit" className="btn btn-primary">
                  Save schedule
                </button>
              )}
            </div>
          </Form>
        </section>
      ) : null}
    </>
  );
}
