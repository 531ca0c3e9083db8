import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { Banner } from "../components/ui.tsx";
import {
  assertSameOrigin,
  createAdminSession,
  isLoggedIn,
  passwordMatches,
  safeRedirect,
} from "../lib/session.server.ts";

export const handle = { refresh: false };

export async function loader({ request }: LoaderFunctionArgs) {
  if (await isLoggedIn(request)) throw redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  // Login is the one action without a session; cross-site posts are still refused (login CSRF).
  assertSameOrigin(request);
  const form = await request.formData();
  const password = form.get("password");
  if (typeof password !== "string" || !passwordMatches(password)) {
    return data({ error: "Wrong password." }, { status: 401 });
  }
  return createAdminSession(safeRedirect(form.get("next")));
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="card login">
      <h1>Notify admin</h1>
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
