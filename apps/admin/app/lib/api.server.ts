// The admin's only way to read or change anything: the API's admin procedures, with the admin token.
// Server-only module, so the token never reaches the browser.

import { createNotifyClient } from "@notify/client";
import { data } from "@remix-run/node";
import { adminEnv } from "./env.server.ts";

export type AdminClient = ReturnType<typeof createNotifyClient>;

let cached: { key: string; client: AdminClient } | null = null;

export function adminClient(): AdminClient {
  const env = adminEnv();
  const key = `${env.apiUrl}\n${env.adminToken}`;
  if (cached?.key !== key) cached = { key, client: createNotifyClient({ url: env.apiUrl, apiKey: env.adminToken }) };
  return cached.client;
}

export interface ApiProblem {
  kind: "unavailable" | "unauthorized" | "not-found" | "bad-request" | "failed";
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

export type ActionResult = { ok: true; message: string } | { ok: false; message: string };

/** For actions: the outcome is shown next to the form instead of replacing the page. */
export async function act(fn: (client: AdminClient) => Promise<string>): Promise<ActionResult> {
  try {
    return { ok: true, message: await fn(adminClient()) };
  } catch (error) {
    if (error instanceof Response) throw error;
    return { ok: false, message: describeApiError(error).message };
  }
}

/** Loads optional extras (a chart, a side panel) without failing the whole page. */
export async function loadOptional<T>(fn: (client: AdminClient) => Promise<T>): Promise<T | null> {
  try {
    return await fn(adminClient());
  } catch {
    return null;
  }
}
