// The admin's HTTP server: Express with Remix's adapter, as remix-serve runs it, plus what
// remix-serve cannot do. Steps:
//   1. read the environment once, through the build's zod schema; a missing or weak secret in
//      production stops the process here with one line (docs/security.md);
//   2. listen on HOST (127.0.0.1 unless told otherwise) and PORT;
//   3. on every response: the security headers with a fresh CSP nonce; cross-site changes
//      refused with 403 before any route runs;
//   4. hand Remix the client's address (proxy-aware with TRUST_PROXY) for the login throttle;
//   5. SIGTERM/SIGINT: stop accepting, let requests in flight finish (bounded), exit 0.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";

const HERE = dirname(fileURLToPath(import.meta.url));
const SHUTDOWN_GRACE_MS = 10_000;

// The configuration comes from the environment as this process got it. NODE_ENV is defaulted
// afterwards only so React runs its production build, as remix-serve does; whether the admin
// runs in production is the schema's decision (NODE_ENV, else NOTIFY_DEV from `npm start`).
const environment = { ...process.env };
process.env.NODE_ENV ??= "production";

const buildPath = join(HERE, "build/server/index.js");
if (!existsSync(buildPath)) {
  console.error("admin: build/server/index.js is missing; run `npm run build -w @notify/admin` first");
  process.exit(1);
}
const build = await import(pathToFileURL(buildPath).href);
const { AdminConfigError, loadAdminEnv, runInRequestScope, securityHeaders } = build.entry.module;

let env;
try {
  env = loadAdminEnv(environment);
} catch (error) {
  if (!(error instanceof AdminConfigError)) throw error;
  console.error(`admin: refusing to start: ${error.message}`);
  process.exit(1);
}

installGlobals({ nativeFetch: build.future.v3_singleFetch });

/**
 * A change (anything but GET/HEAD/OPTIONS) from another site never reaches a route: SameSite=Lax
 * keeps the session cookie off it, and this answers one plain 403 whatever the route. The routes
 * check the full origin again (port included).
 */
function refuseCrossSite(req, res, next) {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  const origin = req.get("origin");
  let crossSite = req.get("sec-fetch-site") === "cross-site";
  if (!crossSite && origin) {
    try {
      crossSite = new URL(origin).hostname !== req.hostname;
    } catch {
      crossSite = true;
    }
  }
  if (!crossSite) return next();
  console.warn(
    JSON.stringify({ msg: "admin refused a cross-site request", method: req.method, path: req.path, origin }),
  );
  res.status(403).type("text/plain").send("Cross-site request refused");
}

const app = express();
app.disable("x-powered-by");
app.set("trust proxy", env.trustProxy);
app.use((req, res, next) => {
  const nonce = randomBytes(16).toString("base64");
  res.locals.cspNonce = nonce;
  res.set(securityHeaders({ nonce, https: req.secure }));
  next();
});
app.use(refuseCrossSite);
app.use(compression());
app.use(
  build.publicPath,
  express.static(resolve(HERE, build.assetsBuildDirectory), { immutable: true, maxAge: "1y", index: false }),
);
const remix = createRequestHandler({
  build,
  mode: "production",
  getLoadContext: (req, res) => ({ clientAddress: req.ip, cspNonce: res.locals.cspNonce }),
});
// Each request in its own scope: the session's role picks the API token its loaders use.
app.all("*", (req, res, next) => runInRequestScope(() => remix(req, res, next)));

const server = app.listen(env.port, env.host, () => {
  const { port } = server.address();
  const host = env.host.includes(":") ? `[${env.host}]` : env.host;
  console.log(JSON.stringify({ msg: "admin listening", url: `http://${host}:${port}` }));
  if (env.host === "0.0.0.0" || env.host === "::") {
    console.warn(
      JSON.stringify({
        msg: `admin listens on every interface (HOST=${env.host}); put it behind TLS (docs/security.md)`,
      }),
    );
  }
});
server.on("error", (error) => {
  console.error(`admin: cannot listen on ${env.host}:${env.port}: ${error.message}`);
  process.exit(1);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ msg: "admin stopping", signal }));
  server.close(() => process.exit(0));
  // Keep-alive connections would hold the close for their idle timeout: drop each one as soon as
  // its request in flight is answered.
  server.closeIdleConnections();
  setInterval(() => server.closeIdleConnections(), 50).unref();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
