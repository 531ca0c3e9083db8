import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Banner } from "../components/ui.tsx";
import { recordAccess } from "../lib/access-audit.server.ts";
import { describeApiError, operatorClient } from "../lib/api.server.ts";
import { adminEnv } from "../lib/env.server.ts";
import {
  assertSameOrigin,
  clientAddress,
  isLoopbackHost,
  publicHostname,
  requestIsHttps,
} from "../lib/request-origin.server.ts";
import { safeRedirect } from "../lib/safe-redirect.ts";
import { createAdminSession, roleForPassword, sessionState } from "../lib/session.server.ts";

export const handle = { refresh: false };

/** What the page must say when logging in cannot work, or is not safe, over this connection. */
function connectionNotes(request: Request): { blocked: string | null; plain: string | null } {
  if (requestIsHttps(request) || isLoopbackHost(publicHostname(request))) return { blocked: null, plain: null };
  if (adminEnv().cookieSecure === "true") {
    return {
      blocked:
        "This page came over plain HTTP, but COOKIE_SECURE=true marks the session cookie Secure, so your browser will drop it and logging in cannot work. Serve the admin over HTTPS (behind a proxy, set TRUST_PROXY), or set COOKIE_SECURE=auto.",
      plain: null,
    };
  }
  return { blocked: null, plain: "This page came over plain HTTP: the password and the session travel unencrypted." };
}

export async function loader({ request }: LoaderFunctionArgs) {
  if ((await sessionState(request)).state === "valid") throw redirect("/");
  return connectionNotes(request);
}

function refused(reason: string, client: string, extra: Record<string, unknown> = {}): void {
  // Never the password: only why, from where, and how often.
  console.warn(JSON.stringify({ msg: "admin login refused", reason, client, ...extra }));
}

/** When this process last wrote a global refusal: once per window, however many clients hit it. */
let globalRefusalAuditedAt = 0;

/** True at most once per window: the global limit's refusals reach the audit log once. */
function globalRefusalDue(windowSeconds: number): boolean {
  if (Date.now() - globalRefusalAuditedAt < windowSeconds * 1000) return false;
  globalRefusalAuditedAt = Date.now();
  return true;
}

export async function action({ request, context }: ActionFunctionArgs) {
  // Login is the one action without a session; cross-site posts are still refused (login CSRF).
  assertSameOrigin(request);
  const form = await request.formData();
  const password = form.get("password");
  const client = clientAddress(request, context);
  const { login } = adminEnv();
  const api = operatorClient();
  let decision: Awaited<ReturnType<typeof api.sessions.loginAttempt.mutate>>;
  try {
    decision = await api.sessions.loginAttempt.mutate({ client, limits: login });
  } catch (error) {
    const problem = describeApiError(error);
    refused("session store unavailable", client);
    return data({ error: `Logging in is not possible right now. ${problem.message}` }, { status: 503 });
  }
  if (!decision.allowed) {
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    // A client hammering the form gets one line when it is first refused, then one per 100; the
    // audit log gets a throttled client once, and the global limit once per window.
    const firstForClient = decision.attempts === login.perClient + 1;
    const first = decision.scope === "global" || firstForClient;
    if (decision.scope === "global" ? globalRefusalDue(login.windowSeconds) : firstForClient) {
      await recordAccess({
        action: "login-refused",
        actor: "unknown",
        client,
        detail: `Too many login attempts (${decision.scope}); refused for ${seconds} s.`,
        ok: false,
      });
    }
    if (first || decision.attempts % 100 === 0) {
      refused("too many attempts", client, {
        scope: decision.scope,
        attempts: decision.attempts,
        retryAfterSeconds: seconds,
      });
    }
    return data(
      { error: `Too many login attempts. Try again in ${seconds} s.` },
      { status: 429, headers: { "Retry-After": String(seconds) } },
    );
  }
  const role = typeof password === "string" ? roleForPassword(password) : null;
  if (!role) {
    refused("wrong password", client, { attempts: decision.attempts });
    await recordAccess({ action: "login-refused", actor: "unknown", client, detail: "Wrong password.", ok: false });
    return data({ error: "Wrong password." }, { status: 401 });
  }
  await api.sessions.loginSucceeded.mutate({ client });
  return createAdminSession(request, safeRedirect(form.get("next"), new URL(request.url).origin), { role, client });
}

export default function Login() {
  const notes = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="card login">
      <h1>Notify admin</h1>
      {notes.blocked ? (
        <Banner tone="error" title="Logging in cannot work here.">
          {notes.blocked}
        </Banner>
      ) : null}
      {notes.plain ? <Banner tone="warn">{notes.plain}</Banner> : null}
      {result?.error ? <Banner tone="error">{result.error}</Banner> : null}
      <Form method="post" className="form-stack">
        <input type="hidden" name="next" value={params.get("next") ?? "/"} />
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="btn btn-primary">
          Log in
        </button>
      </Form>
    </div>
  );
}
