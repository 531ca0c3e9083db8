// Real Request objects for calling loaders and actions the way Remix does.
import { action as loginAction } from "../../app/routes/login.tsx";

export const ORIGIN = "http://admin.test";

export function get(path: string, cookie?: string): Request {
  return new Request(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {} });
}

export function post(
  path: string,
  fields: Record<string, string | string[]>,
  { cookie, origin = ORIGIN }: { cookie?: string; origin?: string | null } = {},
): Request {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  return new Request(`${ORIGIN}${path}`, { method: "POST", body, headers });
}

/** Logs in through the real login action and returns the Cookie header a browser would send. */
export async function loginCookie(password: string, clientAddress = "127.0.0.1"): Promise<string> {
  const response = await loginAction({ request: post("/login", { password }), params: {}, context: { clientAddress } });
  if (!(response instanceof Response)) throw new Error("login did not redirect");
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0] ?? "";
}

/** What a loader or action threw, for asserting redirects and error responses. */
export async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** Remix's data() result: the payload and the status. */
export function asData(value: unknown): { data: unknown; status: number } {
  const v = value as { data?: unknown; init?: { status?: number } | null };
  return { data: v.data, status: v.init?.status ?? 200 };
}
