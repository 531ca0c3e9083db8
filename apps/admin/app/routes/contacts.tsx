// Contacts (seed 003's contact_ids): list, search, edit, delete. Addresses and numbers are masked
// in the list; the edit form shows them, since editing is asking to see them.
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Empty, Flash, PageHeader } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatAgo, formatNumber } from "../lib/format.ts";
import { maskText } from "../lib/masking.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

const PAGE = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const search = url.searchParams.get("q")?.trim().slice(0, 200) ?? "";
  const cursor = url.searchParams.get("cursor")?.slice(0, 200) || null;
  const editId = url.searchParams.get("edit")?.slice(0, 200) || null;
  const page = await load((c) =>
    c.contacts.list.query({ limit: PAGE, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) }),
  );
  const editing = editId ? await load((c) => c.contacts.get.query({ id: editId })) : null;
  const contacts = page.contacts.map((contact) => ({
    id: contact.id,
    email: contact.email ? maskText(contact.email) : null,
    phone: contact.phone ? maskText(contact.phone) : null,
    name: contact.name,
    locale: contact.locale,
    timeZone: contact.timeZone,
    groups: contact.groups,
    updatedAt: contact.updatedAt,
  }));
  return { contacts, nextCursor: page.nextCursor, total: page.total, search, editing, now: Date.now() };
}

/** An empty field clears the value (null); attributes are a JSON object, groups a comma list. */
function contactFromForm(form: FormData) {
  const text = (name: string) => {
    const value = String(form.get(name) ?? "").trim();
    return value === "" ? null : value;
  };
  const attributesText = String(form.get("attributes") ?? "").trim();
  const attributes = attributesText === "" ? {} : (JSON.parse(attributesText) as Record<string, never>);
  const groups = String(form.get("groups") ?? "")
    .split(",")
    .map((group) => group.trim())
    .filter(Boolean);
  return {
    id: String(form.get("id") ?? "").trim(),
    email: text("email"),
    phone: text("phone"),
    name: text("name"),
    locale: text("locale"),
    timeZone: text("timeZone"),
    attributes,
    groups,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "delete") {
    const id = String(form.get("id") ?? "");
    return act(
      async (c) => {
        await c.contacts.delete.mutate({ id });
        return `Contact ${id} deleted.`;
      },
      { actor: session.actor, action: "contact: delete", target: id },
    );
  }
  if (intent !== "save") return data({ ok: false, message: "Unknown action." }, { status: 400 });
  let contact: ReturnType<typeof contactFromForm>;
  try {
    contact = contactFromForm(form);
  } catch {
    return data({ ok: false, message: "Attributes must be a JSON object." }, { status: 400 });
  }
  return act(
    async (c) => {
      const saved = await c.contacts.upsert.mutate(contact);
      return `Contact ${saved.contact.id} ${saved.created ? "created" : "saved"}.`;
    },
    { actor: session.actor, action: "contact: save", target: contact.id ?? "(new)" },
  );
}

type Editing = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["editing"]>;

function ContactForm({ contact }: { contact: Editing | null }) {
  return (
    <section className="section card" aria-labelledby="contact-form-h">
      <h2 id="contact-form-h">{contact ? `Edit ${contact.id}` : "New contact"}</h2>
      {/* Keyed by contact so switching contacts resets the uncontrolled fields. */}
      <Form method="post" className="form-stack" key={contact?.id ?? "new"}>
        <input type="hidden" name="intent" value="save" />
        <div className="form-row">
          <label>
            Id
            <input
              name="id"
              required
              maxLength={200}
              pattern="[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,199}"
              defaultValue={contact?.id ?? ""}
              readOnly={Boolean(contact)}
            />
          </label>
          <label>
            Email
            <input name="email" type="email" maxLength={320} defaultValue={contact?.email ?? ""} />
          </label>
          <label>
            Phone
            <input name="phone" maxLength={16} placeholder="+919876543210" defaultValue={contact?.phone ?? ""} />
          </label>
          <label>
            Name
            <input name="name" maxLength={200} defaultValue={contact?.name ?? ""} />
          </label>
        </div>
        <div className="form-row">
          <label>
            Locale
            <input name="locale" maxLength={35} placeholder="en-IN" defaultValue={contact?.locale ?? ""} />
          </label>
          <label>
            Time zone
            <input name="timeZone" maxLength={64} placeholder="Asia/Kolkata" defaultValue={contact?.timeZone ?? ""} />
          </label>
          <label>
            Groups (comma-separated)
            <input name="groups" maxLength={2_100} defaultValue={contact?.groups.join(", ") ?? ""} />
          </label>
        </div>
        <label>
          Attributes (JSON object)
          <textarea
            name="attributes"
            rows={3}
            maxLength={60_000}
            className="mono"
            defaultValue={
              contact && Object.keys(contact.attributes).length > 0 ? JSON.stringify(contact.attributes) : ""
            }
          />
        </label>
        <div>
          <button type="submit" className="btn btn-primary">
            Save contact
          </button>{" "}
          {contact ? <Link to="/contacts">Cancel</Link> : null}
        </div>
      </Form>
    </section>
  );
}

export default function Contacts() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Contacts">
        {d.total !== null ? <span className="muted">{formatNumber(d.total)} in the store</span> : null}
      </PageHeader>
      <Flash result={result} />
      <Form method="get" className="form-row" role="search">
        <label>
          Search
          <input
            name="q"
            type="search"
            maxLength={200}
            defaultValue={d.search}
            placeholder="id, email, phone or name"
          />
        </label>
        <button type="submit" className="btn">
          Search
        </button>
      </Form>
      {d.contacts.length === 0 ? (
        <Empty title={d.search ? `No contact matches "${d.search}".` : "No contacts yet."}>
          Add one below, through the API (contacts.upsert), or let seed 000's new-user events create them.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col" className="hide-sm">
                  Phone
                </th>
                <th scope="col" className="hide-sm">
                  Locale / zone
                </th>
                <th scope="col">Groups</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.contacts.map((c) => (
                <tr key={c.id} data-contact={c.id}>
                  <td className="mono">{c.id}</td>
                  <td>{c.name ?? <span className="muted">—</span>}</td>
                  <td>{c.email ?? <span className="muted">—</span>}</td>
                  <td className="hide-sm">{c.phone ?? <span className="muted">—</span>}</td>
                  <td className="hide-sm">{[c.locale, c.timeZone].filter(Boolean).join(" · ") || "—"}</td>
                  <td>{c.groups.join(", ")}</td>
                  <td>{formatAgo(c.updatedAt, d.now)}</td>
                  <td>
                    <Link className="btn" to={`/contacts?edit=${encodeURIComponent(c.id)}`}>
                      Edit
                    </Link>{" "}
                    <Form method="post" style={{ display: "inline" }}>
                      <input type="hidden" name="id" value={c.id} />
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
      {d.nextCursor ? (
        <p>
          <Link to={`/contacts?${new URLSearchParams({ ...(d.search ? { q: d.search } : {}), cursor: d.nextCursor })}`}>
            Next page →
          </Link>
        </p>
      ) : null}
      <ContactForm contact={d.editing} />
    </>
  );
}
