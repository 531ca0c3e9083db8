import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Empty, Flash, PageHeader } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { formatAgo } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const url = new URL(request.url);
  const search = (url.searchParams.get("q") ?? "").trim().slice(0, 100);
  const cursor = /^\d{1,20}$/.test(url.searchParams.get("cursor") ?? "")
    ? (url.searchParams.get("cursor") ?? "0")
    : "0";
  const [page, removals] = await Promise.all([
    load((c) => c.preferences.suppressions.query({ cursor, limit: 100, ...(search ? { search } : {}) })),
    load((c) => c.preferences.removals.query({ limit: 20 })),
  ]);
  return { ...page, search, removals: removals.entries, now: Date.now() };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const form = await request.formData();
  const field = (key: string) => String(form.get(key) ?? "").trim();
  const address = field("address");
  const audit = { actor: session.actor, action: `suppression: ${field("intent")}`, target: address };
  switch (field("intent")) {
    case "add":
      return act(async (c) => {
        const detail = field("detail");
        const { added } = await c.preferences.suppress.mutate({ address, ...(detail ? { detail } : {}) });
        return added ? `${address} is suppressed.` : `${address} was already suppressed.`;
      }, audit);
    case "remove":
      return act(async (c) => {
        const { removed } = await c.preferences.unsuppress.mutate({ address, reason: field("reason") });
        return removed ? `${address} may be sent to again.` : `${address} was not suppressed.`;
      }, audit);
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

export default function Suppressions() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Suppressions" />
      <Flash result={result} />
      <p className="muted">
        Nothing is sent to a suppressed address (hard bounces, spam reports and unsubscribes land here). {d.total} in
        all.
      </p>
      <Form method="get" className="form-inline" aria-label="Search suppressions">
        <input name="q" defaultValue={d.search} placeholder="part of an address" aria-label="Search" />
        <button type="submit" className="btn">
          Search
        </button>
      </Form>
      {d.entries.length === 0 ? (
        <Empty title={d.search ? "No suppressed address matches." : "No suppressed addresses on this page."} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Reason</th>
                <th scope="col">Since</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {d.entries.map((s) => (
                <tr key={s.address} data-address={s.address}>
                  <td>{s.address}</td>
                  <td>
                    {s.reason}
                    {s.detail ? <span className="muted"> — {s.detail}</span> : null}
                  </td>
                  <td>{formatAgo(s.at, d.now)}</td>
                  <td>
                    <Form method="post" className="form-inline">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="address" value={s.address} />
                      <input
                        name="reason"
                        required
                        minLength={3}
                        placeholder="why"
                        aria-label={`Reason to remove ${s.address}`}
                      />
                      <button type="submit" className="btn">
                        Remove
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {d.cursor !== "0" ? (
        <Form method="get">
          <input type="hidden" name="q" value={d.search} />
          <input type="hidden" name="cursor" value={d.cursor} />
          <button type="submit" className="btn">
            More
          </button>
        </Form>
      ) : null}
      <Form method="post" className="card form-stack" aria-label="Suppress an address">
        <input type="hidden" name="intent" value="add" />
        <label>
          Address
          <input name="address" type="email" required />
        </label>
        <label>
          Why
          <input name="detail" />
        </label>
        <button type="submit" className="btn btn-primary">
          Suppress
        </button>
      </Form>
      <h3>Recently removed</h3>
      {d.removals.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {d.removals.map((r) => (
            <li key={`${r.address}:${r.at}`}>
              {r.address} — {r.reason} ({formatAgo(r.at, d.now)}; was {r.was?.reason ?? "unknown"})
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
