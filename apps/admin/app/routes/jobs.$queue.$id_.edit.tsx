// Edit and retry a dead letter that never parsed (issue 15 item 2). Its own page, out of the live
// refresh, so typing is never interrupted; the API queues the text only if it is now a job.
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Flash, PageHeader, useCanChange } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

/** Longer bodies stay download-only on the job page: a text box of megabytes helps nobody. */
const MAX_EDITABLE_CHARS = 64 * 1024;

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const found = await load((c) => c.jobs.get.query({ queue, id }));
  const raw = found.raw ?? "";
  const editable = found.state === "dead" && found.job === null && !found.truncated && raw.length <= MAX_EDITABLE_CHARS;
  return { queue, id, raw: editable ? raw : null, parsed: found.job !== null };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const form = await request.formData();
  if (form.get("intent") !== "retry-edited") return data({ ok: false, message: "Unknown action." }, { status: 400 });
  const raw = String(form.get("raw") ?? "");
  const result = await act(
    async (c) => {
      const retried = await c.dlq.retryEdited.mutate({ queue, id, raw });
      return `Job ${retried.id} is back in ${queue}.`;
    },
    { actor: session.actor, action: "job: retry-edited", target: `${queue}/${id}` },
  );
  // The edited entry has left dead letters; its job now lives under its own id.
  if (result.ok) throw redirect(`/dead-letters?queue=${encodeURIComponent(queue)}`);
  return result;
}

export default function EditDeadLetter() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canChange = useCanChange();
  const back = `/jobs/${encodeURIComponent(d.queue)}/${encodeURIComponent(d.id)}`;
  return (
    <>
      <PageHeader title={`Edit ${d.id}`}>
        <Link className="btn" to={back}>
          ← Job
        </Link>
      </PageHeader>
      <Flash result={result} />
      {d.raw === null || !canChange ? (
        <p className="muted">
          {d.parsed
            ? "This job parses; retry it from its page."
            : "Only an unparseable dead letter up to 64 KB can be edited here; download it from the job page."}
        </p>
      ) : (
        <Form method="post" className="card">
          <label>
            Raw body (must be a job: JSON with <code>type</code> and <code>data</code>)
            <textarea name="raw" rows={10} defaultValue={d.raw} required className="mono" />
          </label>
          <div className="form-row">
            <button type="submit" name="intent" value="retry-edited" className="btn btn-primary">
              Retry edited
            </button>
          </div>
        </Form>
      )}
    </>
  );
}
