// The whole API as one fetch handler: plain routes first, everything under /trpc to tRPC. No socket
// here, so tests call it directly and the Bun entry only has to serve it.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContextFactory, type ResolvedDeps } from "./context.ts";
import type { AppDeps } from "./deps.ts";
import { health } from "./http/health.ts";
import { metrics } from "./http/metrics.ts";
import { queueTest } from "./http/queue-test.ts";
import { json } from "./http/responses.ts";
import { sendgridWebhook } from "./http/sendgrid-webhook.ts";
import { trackClick, trackOpen } from "./http/tracking.ts";
import { Background } from "./lib/background.ts";
import { createQueueAccess } from "./lib/queues.ts";
import { createMetrics } from "./metrics/registry.ts";
import { appRouter } from "./routers/_app.ts";

export const TRPC_ENDPOINT = "/trpc";

export interface FetchHandler {
  (req: Request): Promise<Response>;
  /** Resolves once work answered requests left behind (tracking events) is stored; for shutdown. */
  settle(): Promise<void>;
}

/** Server-side failures worth a log line; client errors (bad input, auth) are the caller's business. */
const LOGGED_CODES = new Set(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);

export function createApp(input: AppDeps): FetchHandler {
  const deps: ResolvedDeps = {
    ...input,
    metrics: input.metrics ?? createMetrics({ defaults: true }),
    background: new Background(),
  };
  const queue = createQueueAccess(deps.redis, deps.config.redisTimeoutMs);
  const createContext = createContextFactory(deps, queue);

  const route = async (req: Request, url: URL): Promise<[string, Response]> => {
    const { pathname } = url;
    const method = req.method;
    if (pathname === TRPC_ENDPOINT || pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      const response = await fetchRequestHandler({
        endpoint: TRPC_ENDPOINT,
        req,
        router: appRouter,
        createContext: () => createContext(req.headers),
        onError({ error, path }) {
          if (LOGGED_CODES.has(error.code))
            console.error(JSON.stringify({ msg: "trpc error", path, code: error.code, error: error.message }));
        },
      });
      return ["trpc", response];
    }
    const read = method === "GET" || method === "HEAD";
    if (pathname.startsWith("/t/o/") && read) return ["/t/o", await trackOpen(deps, queue, pathname.slice(5))];
    if (pathname.startsWith("/t/c/") && read) return ["/t/c", await trackClick(deps, queue, pathname.slice(5))];
    if (pathname === "/health" && read) return ["/health", await health(deps, queue)];
    if (pathname === "/metrics" && read) return ["/metrics", await metrics(deps, queue)];
    if (pathname === "/webhooks/sendgrid" && method === "POST")
      return ["/webhooks/sendgrid", await sendgridWebhook(deps, queue, req)];
    if (pathname === "/queue/test" && method === "POST" && deps.config.dev)
      return ["/queue/test", await queueTest(deps, queue)];
    return ["unmatched", json({ error: "not found" }, 404)];
  };

  const handle = async (req: Request): Promise<Response> => {
    const started = performance.now();
    const [name, response] = await route(req, new URL(req.url)).catch((error: unknown): [string, Response] => {
      console.error(
        JSON.stringify({
          msg: "unhandled request error",
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      return ["error", json({ error: "internal error" }, 500)];
    });
    deps.metrics.httpDuration.observe(
      { route: name, method: req.method, status: String(response.status) },
      (performance.now() - started) / 1000,
    );
    return response;
  };
  return Object.assign(handle, { settle: () => deps.background.settle() });
}
