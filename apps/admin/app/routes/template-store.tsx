import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, Empty, Flash, NestedFieldErrors, otherFieldErrors, PageHeader } from "../components/ui.tsx";
import { act, adminClient, type FieldErrors, load, plainProblem } from "../lib/api.server.ts";
import { formatAgo } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";
import {
  type Channel,
  parseJsonObject,
  parseLocales,
  parseVariables,
  STARTER_MJML,
  variablesText,
} from "../lib/stored-template-form.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const channel: Channel = url.searchParams.get("channel") === "sms" ? "sms" : "email";
  const name = url.searchParams.get("name") ?? "";
  const { stored, limits } = await load((c) => c.templates.list.query({}));
  const detail = name ? await load((c) => c.templates.get.query({ channel, name })).catch(() => null) : null;
  const rawData = url.searchParams.get("data") ?? "{}";
  const locale = url.searchParams.get("locale") ?? "";
  let preview: { locale: string; subject?: string; html?: string; text?: string } | null = null;
  let previewProblem: string | null = null;
  let previewFields: FieldErrors = {};
  if (detail && url.searchParams.has("preview")) {
    const parsed = parseJsonObject(rawData);
    if (!parsed.ok) previewProblem = parsed.message;
    else {
      // Called directly, not through load(): a refusal is shown beside the form, not as the page's error.
      try {
        preview = await adminClient().templates.previewStored.query({
          channel,
          name,
          data: parsed.value,
          ...(locale ? { locale } : {}),
        });
      } catch (error) {
        const plain = plainProblem(error);
        previewFields = plain.fields;
        previewProblem =
          Object.keys(previewFields).length > 0
            ? otherFieldErrors(previewFields, ["data", "locale"]) || null
            : plain.message;
      }
    }
  }
  return {
    stored,
    limits,
    channel,
    name,
    detail,
    rawData,
    locale,
    preview,
    previewProblem,
    previewFields,
    now: Date.now(),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const field = (key: string) => String(form.get(key) ?? "").trim();
  const intent = field("intent");
  const channel: Channel = field("channel") === "sms" ? "sms" : "email";
  const name = field("name");
  const audit = { actor: session.actor, action: `template: ${intent}`, target: `${channel}/${name}` };
  switch (intent) {
    case "save": {
      const variables = parseVariables(field("variables"));
      const locales = parseLocales(channel, {
        subject: field("subject"),
        mjml: String(form.get("mjml") ?? ""),
        text: String(form.get("text") ?? ""),
        more: field("moreLocales"),
      });
      if (!locales.ok) return data({ ok: false, message: locales.message }, { status: 400 });
      const description = field("description");
      return act(async (c) => {
        const common = {
          name,
          category: field("category") || "transactional",
          variables,
          ...(description ? { description } : {}),
        };
        const result =
          channel === "email"
            ? await c.templates.save.mutate({ channel, ...common, locales: locales.email })
            : await c.templates.save.mutate({ channel, ...common, locales: locales.sms });
        return `Draft of ${name} ${result.created ? "created" : "saved"}. Publish it to send it.`;
      }, audit);
    }
    case "publish":
      return act(async (c) => {
        const note = field("note");
        const published = await c.templates.publish.mutate({ channel, name, ...(note ? { note } : {}) });
        return `Version ${published.version} of ${name} is live.`;
      }, audit);
    case "rollback":
      return act(async (c) => {
        const version = Number(field("version"));
        await c.templates.rollback.mutate({ channel, name, version });
        return `Version ${version} of ${name} is live again.`;
      }, audit);
    case "delete":
      return act(async (c) => {
        await c.templates.delete.mutate({ channel, name });
        return `${name} deleted; a built-in of that name is sent again.`;
      }, audit);
    case "test-send": {
      const parsed = parseJsonObject(field("data") || "{}");
      if (!parsed.ok) return data({ ok: false, message: parsed.message }, { status: 400 });
      return act(async (c) => {
        const sent = await c.templates.testSend.mutate({ channel, name, to: field("to"), data: parsed.value });
        return `Test of version ${sent.version} queued as job ${sent.jobId}.`;
      }, audit);
    }
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

export default function TemplateStore() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const draft = d.detail?.draft;
  const defaults = draft?.locales.default as { subject?: string; mjml?: string; text?: string } | undefined;
  const others = draft
    ? Object.fromEntries(Object.entries(draft.locales).filter(([locale]) => locale !== "default"))
    : {};
  const editing = d.detail ? `${d.detail.channel}:${d.detail.name}` : `new:${d.channel}`;
  return (
    <>
      <PageHeader title="Stored templates">
        <Link to="/templates">Built-in previews</Link>
      </PageHeader>
      <Flash result={result} />
      <p className="muted">
        A published stored template is sent instead of the built-in of the same name. At most {d.limits.maxTemplates}{" "}
        templates, {d.limits.maxVersions} versions each, {d.limits.maxSourceBytes / 1024} KB apiece.
      </p>
      {d.stored.length === 0 ? (
        <Empty title="No stored templates yet.">Create one below.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Channel</th>
                <th scope="col">Category</th>
                <th scope="col">Live version</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {d.stored.map((t) => (
                <tr key={`${t.channel}:${t.name}`} data-template={t.name}>
                  <td>
                    <Link to={`?channel=${t.channel}&name=${encodeURIComponent(t.name)}`}>{t.name}</Link>
                    {t.unpublishedChanges ? <span className="muted"> (unpublished changes)</span> : null}
                  </td>
                  <td>{t.channel}</td>
                  <td>{t.category}</td>
                  <td>{t.published === null ? "draft only" : `v${t.published}`}</td>
                  <td>{formatAgo(t.updatedAt, d.now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="tabs" aria-label="New template">
        <Link to="?channel=email">New email template</Link>
        <Link to="?channel=sms">New SMS template</Link>
      </nav>
      <div className="grid-2">
        <Form method="post" className="card form-stack" key={editing} aria-label="Edit template">
          <h3>{d.detail ? `Edit ${d.detail.name} (${d.detail.channel})` : `New ${d.channel} template`}</h3>
          <input type="hidden" name="intent" value="save" />
          <input type="hidden" name="channel" value={d.detail?.channel ?? d.channel} />
          <label>
            Name
            <input name="name" required defaultValue={d.detail?.name ?? ""} readOnly={Boolean(d.detail)} />
          </label>
          <label>
            Category
            <input name="category" defaultValue={draft?.category ?? "transactional"} />
          </label>
          <label>
            Description
            <input name="description" defaultValue={draft?.description ?? ""} />
          </label>
          <label>
            Variables (comma separated; name? for optional)
            <input name="variables" defaultValue={draft ? variablesText(draft.variables) : ""} />
          </label>
          {(d.detail?.channel ?? d.channel) === "email" ? (
            <>
              <label>
                Subject
                <input name="subject" required defaultValue={defaults?.subject ?? ""} />
              </label>
              <label>
                MJML
                <textarea name="mjml" rows={10} required defaultValue={defaults?.mjml ?? STARTER_MJML} />
              </label>
            </>
          ) : null}
          <label>
            {(d.detail?.channel ?? d.channel) === "email" ? "Plain text" : "Message"}
            <textarea name="text" rows={4} required defaultValue={defaults?.text ?? ""} />
          </label>
          <label>
            Other locales (JSON: {"{"}"de": {"{"}...{"}"}
            {"}"})
            <textarea
              name="moreLocales"
              rows={4}
              defaultValue={Object.keys(others).length > 0 ? JSON.stringify(others, null, 2) : ""}
            />
          </label>
          <button type="submit" className="btn btn-primary">
            Save draft
          </button>
        </Form>
        {d.detail ? (
          <section className="card form-stack" aria-label="Versions">
            <h3>Versions</h3>
            <p>
              Live: <strong>{d.detail.published === null ? "none (draft only)" : `v${d.detail.published}`}</strong>
            </p>
            <Form method="post" className="form-inline">
              <input type="hidden" name="intent" value="publish" />
              <input type="hidden" name="channel" value={d.detail.channel} />
              <input type="hidden" name="name" value={d.detail.name} />
              <input name="note" placeholder="Note (optional)" aria-label="Version note" />
              <button type="submit" className="btn btn-primary">
                Publish draft
              </button>
            </Form>
            <ul>
              {d.detail.versions.map((v) => (
                <li key={v.version}>
                  v{v.version} {formatAgo(v.at, d.now)} {v.note ? `— ${v.note}` : ""}
                  {v.version !== d.detail?.published ? (
                    <Form method="post" className="form-inline">
                      <input type="hidden" name="intent" value="rollback" />
                      <input type="hidden" name="channel" value={d.detail?.channel} />
                      <input type="hidden" name="name" value={d.detail?.name} />
                      <input type="hidden" name="version" value={v.version} />
                      <button type="submit" className="btn">
                        Roll back to v{v.version}
                      </button>
                    </Form>
                  ) : (
                    <strong> (live)</strong>
                  )}
                </li>
              ))}
            </ul>
            <Form method="get" className="form-stack" aria-label="Preview">
              <input type="hidden" name="channel" value={d.detail.channel} />
              <input type="hidden" name="name" value={d.detail.name} />
              <input type="hidden" name="preview" value="1" />
              <label>
                Preview data (JSON)
                <textarea name="data" rows={4} defaultValue={d.rawData} />
              </label>
              <NestedFieldErrors fields={d.previewFields} under="data" />
              <label>
                Locale
                <input name="locale" defaultValue={d.locale} placeholder="default" />
              </label>
              <NestedFieldErrors fields={d.previewFields} under="locale" />
              <button type="submit" className="btn">
                Preview draft
              </button>
            </Form>
            {d.previewProblem ? <Banner tone="error">{d.previewProblem}</Banner> : null}
            {d.preview ? (
              <section aria-label="Rendered preview">
                <p className="muted">Locale: {d.preview.locale}</p>
                {d.preview.subject ? (
                  <p>
                    <span className="muted">Subject:</span> <strong>{d.preview.subject}</strong>
                  </p>
                ) : null}
                {d.preview.html ? (
                  // No scripts, no same-origin: template HTML can never reach the admin's session.
                  <iframe className="preview" title="Stored template preview" sandbox="" srcDoc={d.preview.html} />
                ) : null}
                {d.preview.text ? <pre className="json">{d.preview.text}</pre> : null}
              </section>
            ) : null}
            <Form method="post" className="form-stack" aria-label="Test send">
              <input type="hidden" name="intent" value="test-send" />
              <input type="hidden" name="channel" value={d.detail.channel} />
              <input type="hidden" name="name" value={d.detail.name} />
              <label>
                Send the live version to
                <input name="to" required placeholder={d.detail.channel === "email" ? "you@example.com" : "+91…"} />
              </label>
              <label>
                Test data (JSON)
                <textarea name="data" rows={3} defaultValue={d.rawData} />
              </label>
              <button type="submit" className="btn">
                Send test
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="delete" />
              <input type="hidden" name="channel" value={d.detail.channel} />
              <input type="hidden" name="name" value={d.detail.name} />
              <button type="submit" className="btn btn-danger">
                Delete template
              </button>
            </Form>
          </section>
        ) : null}
      </div>
    </>
  );
}
