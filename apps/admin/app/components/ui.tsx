// Small building blocks of the design system; the look lives in styles.css.
import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
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

export function Flash({ result }: { result: { ok: boolean; message: string } | undefined | null }) {
  if (!result) return null;
  return <Banner tone={result.ok ? "ok" : "error"}>{result.message}</Banner>;
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
  return (
    <details className="confirm">
      <summary className="btn btn-danger">{label}…</summary>
      <Form method="post" className="confirm-body">
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
