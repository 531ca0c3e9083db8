import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Banner, NestedFieldErrors, otherFieldErrors, PageHeader } from "../components/ui.tsx";
import { adminClient, type FieldErrors, plainProblem } from "../lib/api.server.ts";
import { requireAdmin } from "../lib/session.server.ts";
import { type Channel, EMAIL_SAMPLES, SMS_SAMPLES, samplesFor } from "../lib/template-samples.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const channel: Channel = url.searchParams.get("channel") === "sms" ? "sms" : "email";
  const samples = samplesFor(channel);
  const asked = url.searchParams.get("template") ?? "";
  const template = asked in samples ? asked : (Object.keys(samples)[0] ?? "");
  const rawData = url.searchParams.get("data");
  let data: Record<string, unknown> = samples[template] ?? {};
  let problem: string | null = null;
  let fields: FieldErrors = {};
  if (rawData) {
    try {
      data = JSON.parse(rawData) as Record<string, unknown>;
    } catch {
      problem = "The sample data is not valid JSON.";
    }
  }
  let preview: { subject?: string; html?: string; text?: string } | null = null;
  if (!problem) {
    try {
      preview =
        channel === "email"
          ? await adminClient().templates.preview.query({ channel: "email", template, data })
          : await adminClient().templates.preview.query({ channel: "sms", template, data });
    } catch (error) {
      const plain = plainProblem(error);
      fields = plain.fields;
      // Data issues go under the sample data box; only what belongs nowhere there is a banner.
      problem = Object.keys(fields).length > 0 ? otherFieldErrors(fields, ["data"]) || null : plain.message;
    }
  }
  return { channel, template, data: JSON.stringify(data, null, 2), preview, problem, fields };
}

export default function Templates() {
  const d = useLoaderData<typeof loader>();
  const groups: [Channel, string[]][] = [
    ["email", Object.keys(EMAIL_SAMPLES)],
    ["sms", Object.keys(SMS_SAMPLES)],
  ];
  return (
    <>
      <PageHeader title="Templates" />
      {groups.map(([channel, names]) => (
        <nav key={channel} className="tabs" aria-label={`${channel} templates`}>
          <strong className="muted">{channel === "email" ? "Email" : "SMS"}:</strong>
          {names.map((name) => (
            <Link
              key={name}
              to={`?channel=${channel}&template=${name}`}
              aria-current={d.channel === channel && d.template === name ? "page" : undefined}
            >
              {name}
            </Link>
          ))}
        </nav>
      ))}
      <div className="grid-2">
        <Form method="get" className="card form-stack">
          <input type="hidden" name="channel" value={d.channel} />
          <input type="hidden" name="template" value={d.template} />
          <label>
            Sample data for {d.channel} “{d.template}”
            <textarea
              name="data"
              rows={14}
              defaultValue={d.data}
              key={`${d.channel}:${d.template}`}
              aria-invalid={Object.keys(d.fields).length > 0 || undefined}
            />
          </label>
          <NestedFieldErrors fields={d.fields} under="data" />
          <button type="submit" className="btn btn-primary">
            Preview
          </button>
        </Form>
        <section className="card" aria-label="Preview">
          {d.problem ? <Banner tone="error">{d.problem}</Banner> : null}
          {d.preview?.subject ? (
            <p>
              <span className="muted">Subject:</span> <strong>{d.preview.subject}</strong>
            </p>
          ) : null}
          {d.preview?.html ? (
            // No scripts, no same-origin: template HTML can never reach the admin's session.
            <iframe className="preview" title={`${d.template} email preview`} sandbox="" srcDoc={d.preview.html} />
          ) : null}
          {d.preview?.text ? (
            <>
              <h3>{d.channel === "sms" ? "Message" : "Plain text"}</h3>
              <pre className="json">{d.preview.text}</pre>
            </>
          ) : null}
        </section>
      </div>
    </>
  );
}
