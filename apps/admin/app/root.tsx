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
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useState } from "react";
import { Banner } from "./components/ui.tsx";
import { isLoggedIn } from "./lib/session.server.ts";
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
  return { loggedIn: await isLoggedIn(request), devTools: process.env.NODE_ENV !== "production" };
}

const NAV = [
  { to: "/", label: "Overview" },
  { to: "/dead-letters", label: "Dead letters" },
  { to: "/search", label: "Search" },
  { to: "/history", label: "History" },
  { to: "/workers", label: "Workers" },
  { to: "/batches", label: "Batches" },
  { to: "/schedules", label: "Schedules" },
  { to: "/templates", label: "Templates" },
  { to: "/redis", label: "Redis" },
];

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
        <nav className="nav" aria-label="Main">
          {[...NAV, ...(root.devTools ? [{ to: "/dev-tools", label: "Dev tools" }] : [])].map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === "/"} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          {refresh ? (
            <label className="live-toggle">
              <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
            </label>
          ) : null}
          <Form method="post" action="/logout">
            <button type="submit" className="btn btn-ghost">
              Log out
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
        <ScrollRestoration />
        <Scripts />
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
        This page keeps retrying every few seconds. <a href=".">Reload now</a>
      </p>
    </Shell>
  );
}
