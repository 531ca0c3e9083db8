// What the admin may believe about a request: its scheme, its origin and its client. X-Forwarded-*
// headers are anyone's to send, so they count only with TRUST_PROXY (the Express server applies
// the same setting to the URL and the client address it hands to Remix).
import type { AppLoadContext } from "@remix-run/node";
import { adminEnv } from "./env.server.ts";

function forwarded(request: Request, name: string): string | null {
  if (adminEnv().trustProxy === false) return null;
  return request.headers.get(name)?.split(",")[0]?.trim().toLowerCase() || null;
}

export function requestIsHttps(request: Request): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  return forwarded(request, "x-forwarded-proto") === "https";
}

/** The host the browser sees: the proxy's when one is trusted, else the request's own. */
function publicHost(request: Request): string {
  return forwarded(request, "x-forwarded-host") ?? new URL(request.url).host;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The hostname the browser used, without port. */
export function publicHostname(request: Request): string {
  return new URL(`http://${publicHost(request)}`).hostname;
}

/**
 * Cross-site changes are refused: SameSite=Lax keeps the cookie off cross-site POSTs, and the
 * Origin / Sec-Fetch-Site headers every current browser sends catch the rest (login CSRF too).
 */
export function assertSameOrigin(request: Request): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  if (request.headers.get("sec-fetch-site") === "cross-site") {
    throw new Response("Cross-site request refused", { status: 403 });
  }
  const origin = request.headers.get("origin");
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new Response("Bad Origin header", { status: 403 });
  }
  if (originHost !== publicHost(request)) throw new Response("Cross-site request refused", { status: 403 });
}

/** Who is logging in, for the throttle: the socket's address from the server (proxy-aware there). */
export function clientAddress(request: Request, context: AppLoadContext | undefined): string {
  const fromServer = context?.clientAddress;
  if (typeof fromServer === "string" && fromServer) return fromServer;
  return forwarded(request, "x-forwarded-for") ?? "unknown";
}
