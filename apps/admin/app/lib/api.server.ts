// The admin's only way to read or change anything: the API's admin procedures, with the admin token.
// Server-only module, so the token never reaches the browser.

import { AsyncLocalStorage } from "node:async_hooks";
import { createNotifyClient } from "@notify/client";
import { data } from "@remix-run/node";
import { adminEnv } from "./env.server.ts";
import type { Role } from "./roles.ts";

export type AdminClient = ReturnType<typeof createNotifyClient>;

const clients = new Map<string, AdminClient>();

function clientWith(token: string): AdminClient {
  const url = adminEnv().apiUrl;
  const key = `${url}\n${token}`;
  let client = clients.get(key);
  if (!client) {
    if (clients.size > 4) clients.clear();
    client = createNotifyClient({ url, apiKey: token });
    clients.set(key, client);
  }
  return client;
}

/**
 * Who the current request acts for. server.mjs runs every request inside runInRequestScope and
 * requireAdmin records the session's role, so a viewer's loaders read through the API's read-only
 * token: the API refuses any change they might make, whatever this app does.
 */
const requestScope = new AsyncLocalStorage<{ role?: Role }>();

export function runInRequestScope<T>(fn: () => T): T {
  return requestScope.run({}, fn);
}

export function setRequestRole(role: Role): void {
  const store = requestScope.getStore();
  if (store) store.role = role;
}

/** The client for the current request: the viewer token for a viewer (when configured), else the admin token. */
export function adminClient(): AdminClient {
  const env = adminEnv();
  const viewer = requestScope.getStore()?.role === "viewer";
  return clientWith(viewer && env.viewerToken ? env.viewerToken : env.adminToken);
}

/** Always the full admin token: the session store, the login throttle and the audit log. */
export function operatorClient(): AdminClient {
  return clientWith(adminEnv().adminToken);
}

export interface ApiProblem {
  kind: "unavailable" | "unauthorized" | "forbidden" | "not-found" | "bad-request" | "failed";
  message: string;
}

interface ErrorLike {
  message?: unknown;
  data?: { code?: unknown; httpStatus?: unknown } | null;
  cause?: unknown;
}

/** Sorts an error from the client into what the page should say; never exposes a stack. */
export function describeApiError(error: unknown): ApiProblem {
  const e = (error ?? {}) as ErrorLike;
  const message = typeof e.message === "string" ? e.message : String(error);
  const code = typeof e.data?.code === "string" ? e.data.code : "";
  const status = typeof e.data?.httpStatus === "number" ? e.data.httpStatus : 0;
  // The read-only token refused a change: this login is a viewer's, not a misconfiguration.
  if (code === "FORBIDDEN" && /read-only/.test(message))
    return { kind: "forbidden", message: "This login is read-only." };
  if (code === "UNAUTHORIZED" || code === "FORBIDDEN" || status === 401 || status === 403) {
    return { kind: "unauthorized", message: "The API refused the admin token. Check ADMIN_TOKEN." };
  }
  if (code === "NOT_FOUND" || status === 404) return { kind: "not-found", message };
  if (code === "BAD_REQUEST" || status === 400) return { kind: "bad-request", message };
  if (!code && !status) {
    return { kind: "unavailable", message: `The API at ${adminEnv().apiUrl} cannot be reached (${message}).` };
  }
  if (/redis|ECONNREFUSED|connection|ETIMEDOUT|max retries/i.test(message) || status === 503) {
    return { kind: "unavailable", message: `The API cannot reach Redis: ${message}` };
  }
  return { kind: "failed", message };
}

const STATUS: Record<ApiProblem["kind"], number> = {
  unavailable: 503,
  unauthorized: 502,
  forbidden: 403,
  "not-found": 404,
  "bad-request": 400,
  failed: 502,
};

/** For loaders: any API failure becomes a thrown response the error boundary shows as a banner. */
export async function load<T>(fn: (client: AdminClient) => Promise<T>): Promise<T> {
  try {
    return await fn(adminClient());
  } catch (error) {
    if (error instanceof Response) throw error;
    const problem = describeApiError(error);
    throw data(problem, { status: STATUS[problem.kind] });
  }
}

/** Field path ("cron", "job.to") -> the plain message the API gave for it. */
export type FieldErrors = Record<string, string>;

export type ActionResult = { ok: true; message: string } | { ok: false; message: string; fields?: FieldErrors };

/**
 * The API's per-field issues of a refused input (its errorFormatter's `data.issues`), so a page
 * can put each message under its own field instead of showing zod's raw JSON.
 */
export function fieldErrorsOf(error: unknown): FieldErrors | null {
  const issues = (error as { data?: { issues?: unknown } } | null)?.data?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return null;
  const fields: FieldErrors = {};
  for (const issue of issues.slice(0, 20) as { path?: unknown; message?: unknown }[]) {
    const path = typeof issue.path === "string" && issue.path ? issue.path : "form";
    const message = typeof issue.message === "string" ? issue.message.slice(0, 300) : "is invalid";
    fields[path] ??= message;
  }
  return fields;
}

/**
 * A refused query said plainly: the API's per-field messages when it gave them (never zod's raw
 * JSON, which is what an error's message holds then), else its one message.
 */
export function plainProblem(error: unknown): { message: string; fields: FieldErrors } {
  const fields = fieldErrorsOf(error);
  if (fields) return { message: `Not rendered: ${fieldsLine(fields)}`, fields };
  return { message: describeApiError(error).message, fields: {} };
}

/** One readable line out of field errors: "cron: ...; tz: ...". */
function fieldsLine(fields: FieldErrors): string {
  return Object.entries(fields)
    .map(([path, message]) => (path === "form" ? message : `${path}: ${message}`))
    .join("; ");
}

/** What the audit log records of one action: who (requireAdmin's actor), the verb and its object. */
export interface AuditOf {
  actor: string;
  action: string;
  target: string;
}

/**
 * For actions: the outcome is shown next to the form instead of replacing the page. With `audit`,
 * the outcome (failures too) is written to the audit log; a log that cannot be written is said in
 * the result rather than hiding what was done.
 */
export async function act(fn: (client: AdminClient) => Promise<string>, audit?: AuditOf): Promise<ActionResult> {
  let result: ActionResult;
  try {
    result = { ok: true, message: await fn(adminClient()) };
  } catch (error) {
    if (error instanceof Response) throw error;
    const fields = fieldErrorsOf(error);
    result = fields
      ? { ok: false, message: `Not saved: ${fieldsLine(fields)}`, fields }
      : { ok: false, message: describeApiError(error).message };
  }
  if (!audit) return result;
  try {
    await operatorClient().audit.record.mutate({ ...audit, detail: result.message.slice(0, 500), ok: result.ok });
  } catch (error) {
    return {
      ...result,
      message: `${result.message} (Not written to the audit log: ${describeApiError(error).message})`,
    };
  }
  return result;
}

/** Loads optional extras (a chart, a side panel) without failing the whole page. */
export async function loadOptional<T>(fn: (client: AdminClient) => Promise<T>): Promise<T | null> {
  try {
    return await fn(adminClient());
  } catch {
    return null;
  }
}
