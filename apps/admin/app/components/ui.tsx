// Small building blocks of the design system; the look lives in styles.css.
import { Form, Link, useRouteLoaderData } from "@remix-run/react";
import { type FormEvent, type ReactNode, useState } from "react";
import { formatNumber } from "../lib/format.ts";

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function Stat({ label, value, tone, hint }: { label: string; value: ReactNode; tone?: string; hint?: string }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ""}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{typeof value === "number" ? formatNumber(value) : value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

export function Banner({
  tone,
  title,
  children,
}: {
  tone: "error" | "ok" | "info" | "warn";
  title?: string;
  children: ReactNode;
}) {
  return (
    <div className={`banner banner-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {title ? <strong>{title} </strong> : null}
      {children}
    </div>
  );
}

type FlashResult = { ok: boolean; message: string };

/**
 * False for a viewer's login: buttons that change something are not drawn. Courtesy only; the
 * server guard refuses the change anyway. Read from the root loader without importing root.tsx.
 */
export function useCanChange(): boolean {
  const root = useRouteLoaderData("root") as { role?: string | null } | undefined;
  return root?.role !== "viewer";
}

/**
 * An action's outcome. The router drops action data on every revalidation (the 2 s live
 * refresh), so the last result is kept here until it is dismissed or a new one replaces it.
 * The result last seen is state, not a ref: React may render and throw away a render (a
 * transition interrupted by the live refresh, StrictMode's double render), and a ref written in
 * that render would say "seen" while the kept result was discarded with it, so it never showed.
 */
export function Flash({ result }: { result: FlashResult | undefined | null }) {
  const [kept, setKept] = useState(result ?? null);
  const [seen, setSeen] = useState(result);
  if (result && result !== seen) {
    setSeen(result);
    setKept(result);
  }
  if (!kept) return null;
  return (
    <div className={`banner banner-${kept.ok ? "ok" : "error"} flash`} role={kept.ok ? "status" : "alert"}>
      <span>{kept.message}</span>
      <button type="button" className="btn btn-ghost flash-dismiss" onClick={() => setKept(null)}>
        Dismiss
      </button>
    </div>
  );
}

/**
 * The API's messages for the fields inside one JSON input (`data.user_name` under the sample data
 * box), each on its own line under that box instead of one line of zod's JSON.
 */
export function NestedFieldErrors({ fields, under }: { fields: Record<string, string>; under: string }) {
  const own = Object.entries(fields).filter(([path]) => path === under || path.startsWith(`${under}.`));
  if (own.length === 0) return null;
  return (
    <ul className="field-error" role="alert">
      {own.map(([path, message]) => (
        <li key={path} data-field-error={path}>
          {path === under ? message : `${path.slice(under.length + 1)}: ${message}`}
        </li>
      ))}
    </ul>
  );
}

/** Field errors not under any of `shown`: they still need saying, once, in plain words. */
export function otherFieldErrors(fields: Record<string, string>, shown: string[]): string {
  return Object.entries(fields)
    .filter(([path]) => !shown.some((s) => path === s || path.startsWith(`${s}.`)))
    .map(([path, message]) => (path === "form" ? message : `${path}: ${message}`))
    .join("; ");
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

export function Badge({ tone, children }: { tone?: string; children: ReactNode }) {
  return <span className={`badge${tone ? ` badge-${tone}` : ""}`}>{children}</span>;
}

export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuenow={pct}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className="progress-bar" style={{ width: `${pct}%` }} />
      <span className="progress-text">{pct}%</span>
    </div>
  );
}

/** A POST button that works without JavaScript; intent tells the action what to do. */
export function ActionButton({
  intent,
  label,
  tone,
  fields,
}: {
  intent: string;
  label: string;
  tone?: "danger" | "primary";
  fields?: Record<string, string>;
}) {
  if (!useCanChange()) return null;
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={`btn${tone ? ` btn-${tone}` : ""}`}>
        {label}
      </button>
    </Form>
  );
}

/**
 * Closes the popover a confirmation sits in once it is sent, and empties what was typed after
 * Remix has read it, so the next opening starts clean (the result shows in the page's Flash).
 */
function closeAfterSubmit(event: FormEvent<HTMLFormElement>): void {
  const form = event.currentTarget;
  const popover = form.closest("details");
  if (popover) popover.open = false;
  window.setTimeout(() => {
    for (const input of form.querySelectorAll<HTMLInputElement>('input[name="confirm"]')) input.value = "";
  }, 0);
}

/**
 * A change that needs a second click (Retry all, Delete selected): a popover that says what will
 * happen and holds the real submit button. Put inside a Form, it sends that form's fields (the
 * selected rows); otherwise it is a form of its own. Works without JavaScript (details/summary).
 */
export function ConfirmButton({
  intent,
  label,
  description,
  tone,
  fields,
  standalone = true,
}: {
  intent: string;
  label: string;
  description: string;
  tone?: "danger";
  fields?: Record<string, string>;
  /** False when placed inside another form whose fields it must send. */
  standalone?: boolean;
}) {
  if (!useCanChange()) return null;
  const button = (
    <button type="submit" name="intent" value={intent} className={`btn${tone ? ` btn-${tone}` : ""}`}>
      {label}
    </button>
  );
  const hidden = Object.entries(fields ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  return (
    <details className="confirm">
      <summary className={`btn${tone ? ` btn-${tone}` : ""}`}>{label}…</summary>
      {standalone ? (
        <Form method="post" className="confirm-body" onSubmit={closeAfterSubmit}>
          <p>{description}</p>
          {hidden}
          {button}
        </Form>
      ) : (
        <div className="confirm-body">
          <p>{description}</p>
          {hidden}
          {button}
        </div>
      )}
    </details>
  );
}

/**
 * Destructive actions ask the admin to type a word first. Checked on the server, so it holds
 * without JavaScript too.
 */
export function ConfirmForm({
  intent,
  label,
  word,
  fields,
  description,
}: {
  intent: string;
  label: string;
  word: string;
  fields?: Record<string, string>;
  description: string;
}) {
  if (!useCanChange()) return null;
  return (
    <details className="confirm">
      <summary className="btn btn-danger">{label}…</summary>
      <Form method="post" className="confirm-body" onSubmit={closeAfterSubmit}>
        <p>{description}</p>
        <input type="hidden" name="intent" value={intent} />
        {Object.entries(fields ?? {}).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label>
          Type <code>{word}</code> to confirm
          <input name="confirm" autoComplete="off" required pattern={word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} />
        </label>
        <button type="submit" className="btn btn-danger">
          {label}
        </button>
      </Form>
    </details>
  );
}

export function Pager({
  offset,
  limit,
  total,
  base,
}: {
  offset: number;
  limit: number;
  total: number;
  base: URLSearchParams;
}) {
  if (total <= limit && offset === 0) return null;
  const link = (o: number) => {
    const p = new URLSearchParams(base);
    p.set("offset", String(o));
    return `?${p.toString()}`;
  };
  const end = Math.min(total, offset + limit);
  return (
    <nav className="pager" aria-label="Pages">
      {offset > 0 ? <Link to={link(Math.max(0, offset - limit))}>← Previous</Link> : <span />}
      <span className="muted">
        {formatNumber(total === 0 ? 0 : offset + 1)}–{formatNumber(end)} of {formatNumber(total)}
      </span>
      {end < total ? <Link to={link(offset + limit)}>Next →</Link> : <span />}
    </nav>
  );
}

/** The labelled queue picker every filter and create form shares; the default is offered even before that queue exists. */
export function QueueSelect({ names, defaultValue }: { names: string[]; defaultValue: string }) {
  const options = names.includes(defaultValue) ? names : [defaultValue, ...names];
  return (
    <label>
      Queue
      <select name="queue" defaultValue={defaultValue}>
        {options.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
    </label>
  );
}
