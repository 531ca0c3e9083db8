// Login state: a signed, httpOnly, SameSite=Lax cookie. Every loader and action calls requireAdmin first.
import { createHash, timingSafeEqual } from "node:crypto";
import { createCookieSessionStorage, redirect, type SessionStorage } from "@remix-run/node";
import { adminEnv } from "./env.server.ts";

let storage: { secret: string; value: SessionStorage } | null = null;

function sessionStorage(): SessionStorage {
  const env = adminEnv();
  if (storage?.secret !== env.sessionSecret) {
    storage = {
      secret: env.sessionSecret,
      value: createCookieSessionStorage({
        cookie: {
          name: "__notify_admin",
          httpOnly: true,
          sameSite: "lax",
          path: "/",
          secure: env.production && process.env.ADMIN_INSECURE_COOKIE !== "1",
          secrets: [env.sessionSecret],
          maxAge: 60 * 60 * 12,
        },
      }),
    };
  }
  return storage.value;
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function passwordMatches(given: string): boolean {
  const expected = adminEnv().adminPassword;
  if (!expected) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Cross-site requests are refused: SameSite=Lax keeps the cookie off cross-site POSTs, and the
 * Origin / Sec-Fetch-Site headers every current browser sends catch the rest.
 */
export function assertSameOrigin(request: Request): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site") throw new Response("Cross-site request refused", { status: 403 });
  const origin = request.headers.get("origin");
  if (origin === null) return;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new Response("Bad Origin header", { status: 403 });
  }
  if (originHost !== host) throw new Response("Cross-site request refused", { status: 403 });
}

export async function isLoggedIn(request: Request): Promise<boolean> {
  const session = await sessionStorage().getSession(request.headers.get("cookie"));
  return session.get("admin") === true;
}

/** The one guard: no session -> /login (remembering where to come back), cross-site POST -> 403. */
export async function requireAdmin(request: Request): Promise<void> {
  assertSameOrigin(request);
  if (await isLoggedIn(request)) return;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/login" : `/login?next=${encodeURIComponent(back)}`);
}

export async function createAdminSession(redirectTo: string): Promise<Response> {
  const store = sessionStorage();
  const session = await store.getSession();
  session.set("admin", true);
  return redirect(redirectTo, { headers: { "Set-Cookie": await store.commitSession(session) } });
}

export async function destroyAdminSession(request: Request): Promise<Response> {
  const store = sessionStorage();
  const session = await store.getSession(request.headers.get("cookie"));
  return redirect("/login", { headers: { "Set-Cookie": await store.destroySession(session) } });
}

/** Only local paths, so ?next= can never become an open redirect. */
export function safeRedirect(to: FormDataEntryValue | string | null, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
