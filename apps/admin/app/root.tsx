import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useState } from "react";
import { Banner } from "./components/ui.tsx";
import { adminEnv } from "./lib/env.server.ts";
import { navItems } from "./lib/nav.ts";
import { useNonce } from "./lib/nonce.ts";
import { shellSession } from "./lib/session.server.ts";
import { useAutoRefresh } from "./lib/use-auto-refresh.ts";
import baseStyles from "./styles/base.css?url";
import componentStyles from "./styles/components.css?url";
import controlStyles from "./styles/controls.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: baseStyles },
  { rel: "stylesheet", href: controlStyles },
  { rel: "stylesheet", href: componentStyles },
];
export const meta: MetaFunction = () => [{ title: "Notify admin" }];

// Public on purpose: it only tells the shell whether to draw the navigation.
export async function loader({ request }: LoaderFunctionArgs) {
  const { loggedIn, role } = await shellSession(request);
  return { loggedIn, role, devTools: !adminEnv().production && role !== "viewer" };
}

function Shell({ children, refresh }: { children: ReactNode; refresh: boolean }) {
  const root = useRouteLoaderData<typeof loader>("root");
  const [live, setLive] = useState(true);
  useAutoRefresh(refresh && live && Boolean(root?.loggedIn));
  if (!root?.loggedIn) return <main className="main main-bare">{children}</main>;
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{" "}
          Notify
        </a>
        {/* A checkbox, not a script: the phone menu opens without JavaScript too. */}
        <input type="checkbox" id="nav-toggle" className="nav-toggle visually-hidden" />
        <label htmlFor="nav-toggle" className="btn nav-toggle-label">
          Menu
        </label>
        <nav className="nav" aria-label="Main">
          {navItems({ devTools: root.devTools }).map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === "/"} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          {root.role === "viewer" ? (
            <span className="badge badge-info" title="This login can look at everything and change nothing">
              read-only
            </span>
          ) : null}
          {refresh ? (
            <label className="live-toggle">
              <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
            </label>
          ) : null}
          <Form method="post" action="/logout" className="logout">
            <button type="submit" name="intent" value="logout" className="btn btn-ghost">
              Log out
            </button>
            <button
              type="submit"
              name="intent"
              value="everywhere"
              className="btn btn-ghost"
              title="Ends every session of every operator, on every device"
            >
              Log out everywhere
            </button>
          </Form>
        </div>
      </header>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

interface Handle {
  refresh?: boolean;
}

export default function App() {
  const matches = useMatches();
  // Pages with forms people type into (templates, schedules, tools) opt out of live refresh.
  const refresh = !matches.some((m) => (m.handle as Handle | undefined)?.refresh === false);
  return (
    <Shell refresh={refresh}>
      <Outlet />
    </Shell>
  );
}

/** API or Redis down, a missing job, anything unexpected: a banner in the normal page, never a stack. */
export function ErrorBoundary() {
  const error = useRouteError();
  const location = useLocation();
  let title = "Something went wrong.";
  let message = "The page could not be shown. It will retry on its own.";
  if (isRouteErrorResponse(error)) {
    const body = error.data as { message?: unknown } | string | null;
    const text = typeof body === "string" ? body : typeof body?.message === "string" ? body.message : "";
    if (error.status === 404) title = "Not found.";
    else if (error.status === 503) title = "The queue service is unavailable.";
    else if (error.status === 403) title = "Refused.";
    message = text || error.statusText || message;
  }
  return (
    <Shell refresh={true}>
      <Banner tone="error" title={title}>
        {message}
      </Banner>
      <p className="muted">
        This page keeps retrying every few seconds. <a href={location.pathname + location.search}>Reload now</a>
      </p>
    </Shell>
  );
}
