// Plain HTTP against the running admin process, as a browser without JavaScript (or an attacker's
// script) would talk to it: form posts with an Origin, cookies by hand, redirects not followed.

export interface Answer {
  status: number;
  ms: number;
  text: string;
  headers: Headers;
}

export async function timedFetch(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { redirect: "manual", ...init });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, text, headers: response.headers };
}

export function getPage(adminUrl: string, path: string, cookie?: string): Promise<Answer> {
  return timedFetch(`${adminUrl}${path}`, { headers: cookie ? { cookie } : {} });
}

export function postForm(
  adminUrl: string,
  path: string,
  fields: Record<string, string>,
  {
    cookie,
    origin = adminUrl,
    headers = {},
  }: { cookie?: string; origin?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const all: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", ...headers };
  if (cookie) all.cookie = cookie;
  if (origin) all.origin = origin;
  return timedFetch(`${adminUrl}${path}`, { method: "POST", headers: all, body: new URLSearchParams(fields) });
}

/** The name=value part of the session cookie a response sets, or "" when it sets none. */
export function sessionCookieOf(answer: Answer): string {
  const line = answer.headers.getSetCookie().find((c) => c.startsWith("__notify_admin="));
  return line?.split(";")[0] ?? "";
}

/** Logs in with a plain form post and returns the Cookie header a browser would send next. */
export async function httpLogin(
  adminUrl: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const answer = await postForm(adminUrl, "/login", { password, next: "/" }, { headers });
  const cookie = sessionCookieOf(answer);
  if (answer.status !== 302 || !cookie) throw new Error(`login failed: ${answer.status} ${answer.text.slice(0, 300)}`);
  return cookie;
}
