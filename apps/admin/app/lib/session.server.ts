// Login state. Each login gets a random session id kept in Redis (through the API's sessions
// procedures) with a server-side expiry; the cookie carries only that id, signed, httpOnly,
// SameSite=Lax. Every request checks the id against the store (remembered for at most a second,
// so a page and its root loader cost one lookup), so logout and "log out everywhere" take effect
// at once. Every loader and action calls requireAdmin first.
import { createHash, timingSafeEqual } from "node:crypto";
import { type Cookie, createCookie, data, redirect } from "@remix-run/node";
import { recordAccess, sessionActor } from "./access-audit.server.ts";
import { describeApiError, operatorClient, setRequestRole } from "./api.server.ts";
import { adminEnv } from "./env.server.ts";
import { assertSameOrigin, requestIsHttps } from "./request-origin.server.ts";
import type { Role } from "./roles.ts";

const COOKIE_NAME = "__notify_admin";
/** How long one answer of the session store is trusted in this process. */
const CHECK_CACHE_MS = 1_000;
const MAX_CACHED = 1_000;

let cookie: { key: string; value: Cookie } | null = null;

function sessionCookie(): Cookie {
  const env = adminEnv();
  const key = `${env.sessionSecret}\n${env.sessionMaxAgeSeconds}`;
  if (cookie?.key !== key) {
    cookie = {
      key,
      value: createCookie(COOKIE_NAME, {
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        secrets: [env.sessionSecret],
        maxAge: env.sessionMaxAgeSeconds,
      }),
    };
  }
  return cookie.value;
}

/**
 * Whether the session cookie is marked Secure. A browser drops a Secure cookie set over plain
 * HTTP (except on localhost), so a correct password would silently fail; "auto" follows the
 * request, COOKIE_SECURE=true|false decides for every request.
 */
export function cookieSecure(request: Request): boolean {
  const setting = adminEnv().cookieSecure;
  if (setting === "true") return true;
  if (setting === "false") return false;
  return requestIsHttps(request);
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** The role a password logs in as, or null. Both are compared every time, so timing says nothing. */
export function roleForPassword(given: string): Role | null {
  const env = adminEnv();
  const admin = sameSecret(given, env.adminPassword);
  const viewer = sameSecret(given, env.viewerPassword);
  return admin ? "admin" : viewer ? "viewer" : null;
}

export function passwordMatches(given: string): boolean {
  return roleForPassword(given) === "admin";
}

const recent = new Map<string, { role: Role | null; until: number }>();

function remember(id: string, role: Role | null): void {
  if (recent.size >= MAX_CACHED) recent.clear();
  recent.set(id, { role, until: Date.now() + CHECK_CACHE_MS });
}

export type SessionState =
  | { state: "valid"; id: string; role: Role }
  | { state: "none" }
  | { state: "unverifiable"; id: string; problem: string };

async function sessionIdOf(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("cookie"));
  return typeof value === "string" && value.length > 0 && value.length <= 100 ? value : null;
}

/** Looks the cookie's session up in the store: valid, none (no cookie, unknown, expired, revoked), or unverifiable (API down). */
export async function sessionState(request: Request): Promise<SessionState> {
  const id = await sessionIdOf(request);
  if (!id) return { state: "none" };
  const known = recent.get(id);
  if (known && known.until > Date.now())
    return known.role ? { state: "valid", id, role: known.role } : { state: "none" };
  try {
    const session = await operatorClient().sessions.get.query({ id });
    // Fail closed: a role this admin does not know reads as a viewer.
    const role: Role | null = session ? (session.role === "admin" ? "admin" : "viewer") : null;
    remember(id, role);
    return role ? { state: "valid", id, role } : { state: "none" };
  } catch (error) {
    const problem = describeApiError(error);
    if (problem.kind === "bad-request") {
      remember(id, null);
      return { state: "none" };
    }
    return { state: "unverifiable", id, problem: problem.message };
  }
}

/** For the shell only (whether to draw the navigation): a session that cannot be checked still draws it. */
export async function isLoggedIn(request: Request): Promise<boolean> {
  return (await sessionState(request)).state !== "none";
}

/** For the shell only: whether to draw the navigation, and the role buttons are drawn for (the guard decides anyway). */
export async function shellSession(request: Request): Promise<{ loggedIn: boolean; role: Role | null }> {
  const session = await sessionState(request);
  return { loggedIn: session.state !== "none", role: session.state === "valid" ? session.role : null };
}

/** A cookie that deletes the session cookie. */
export function clearedCookie(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: undefined, expires: new Date(0) });
}

export interface AdminSessionInfo {
  sessionId: string;
  role: Role;
  /** How the audit log names this login: its role and the start of its session id, never a secret. */
  actor: string;
}

function isRead(request: Request): boolean {
  return request.method === "GET" || request.method === "HEAD";
}

/**
 * The one guard: a cross-site change -> 403, no live session -> /login (remembering where to come
 * back), session store unreachable -> 503, and any change (every non-GET, which is every action)
 * by a viewer -> 403, so no page can forget the read-only role.
 */
export async function requireAdmin(request: Request): Promise<AdminSessionInfo> {
  assertSameOrigin(request);
  const session = await sessionState(request);
  if (session.state === "valid") {
    setRequestRole(session.role);
    if (session.role === "viewer" && !isRead(request)) {
      throw data(
        { kind: "forbidden", message: "This login is read-only: a viewer cannot change anything." },
        { status: 403 },
      );
    }
    // A short, non-secret handle: enough to tell two operators' sessions apart in the audit log.
    return { sessionId: session.id, role: session.role, actor: sessionActor(session.role, session.id) };
  }
  if (session.state === "unverifiable") {
    throw data({ kind: "unavailable", message: `Your session cannot be checked. ${session.problem}` }, { status: 503 });
  }
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  const headers = request.headers.get("cookie")?.includes(`${COOKIE_NAME}=`)
    ? { "Set-Cookie": await clearedCookie() }
    : undefined;
  throw redirect(back === "/" ? "/login" : `/login?next=${encodeURIComponent(back)}`, { headers });
}

/** After a correct password: a new session in the store, its id in the cookie. */
export async function createAdminSession(
  request: Request,
  redirectTo: string,
  { role = "admin", client }: { role?: Role; client: string },
): Promise<Response> {
  const env = adminEnv();
  const session = await operatorClient().sessions.create.mutate({ ttlSeconds: env.sessionMaxAgeSeconds, role });
  remember(session.id, role);
  await recordAccess({
    action: "login",
    actor: sessionActor(role, session.id),
    client,
    detail: `Logged in as ${role}.`,
    ok: true,
  });
  const setCookie = await sessionCookie().serialize(session.id, { secure: cookieSecure(request) });
  return redirect(redirectTo, { headers: { "Set-Cookie": setCookie } });
}

/** Logout: the session is revoked in the store, not just forgotten by this browser. */
export async function destroyAdminSession(
  request: Request,
  { everywhere, client: address }: { everywhere: boolean; client: string },
): Promise<Response> {
  const ending = await sessionState(request);
  const id = ending.state === "none" ? null : ending.id;
  const actor = ending.state === "valid" ? sessionActor(ending.role, ending.id) : "unverified session";
  const client = operatorClient();
  if (everywhere) {
    await client.sessions.revokeAll.mutate();
    recent.clear();
  } else if (id) {
    recent.delete(id);
    try {
      await client.sessions.revoke.mutate({ id });
    } catch (error) {
      // The browser still forgets the cookie; the session then ends with its expiry.
      console.warn(
        JSON.stringify({ msg: "admin logout could not revoke the session", error: describeApiError(error).message }),
      );
    }
  }
  if (id) {
    await recordAccess({
      action: everywhere ? "logout-everywhere" : "logout",
      actor,
      client: address,
      detail: everywhere ? "Ended every admin session." : "Logged out.",
      ok: true,
    });
  }
  return redirect("/login", { headers: { "Set-Cookie": await clearedCookie() } });
}
