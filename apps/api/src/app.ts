// The whole API as one fetch handler: plain routes first, everything under /trpc to tRPC. No socket
// here, so tests call it directly and the Bun entry only has to serve it.
import type { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import type { ApiConfig } from "./config.ts";
import { createContextFactory, type ResolvedDeps } from "./context.ts";
import type { AppDeps } from "./deps.ts";
import { DIRECT_SEND_PATH, directSend, takesDirectSend } from "./http/direct-send.ts";
import { health, live, ready } from "./http/health.ts";
import { metrics } from "./http/metrics.ts";
import { OPENAPI_ENDPOINT, openApiDocument } from "./http/openapi.ts";
import { queueTest } from "./http/queue-test.ts";
import { json } from "./http/responses.ts";
import { sendgridWebhook } from "./http/sendgrid-webhook.ts";
import { msg91Webhook, twilioWebhook } from "./http/sms-reports.ts";
import { createTracker } from "./http/tracking.ts";
import { createUnsubscriber, UNSUBSCRIBE_PREFIX } from "./http/unsubscribe.ts";
import { Background } from "./lib/background.ts";
import { boundTrpcRequest, readBoundedBody, requestWithBody } from "./lib/input-bounds.ts";
import { createQueueAccess } from "./lib/queues.ts";
import { createMetrics } from "./metrics/registry.ts";
import { appRouter } from "./routers/_app.ts";

export const TRPC_ENDPOINT = "/trpc";

/** Largest request body: a full 100,000-recipient batch fits; each job inside has its own bound. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export function maxBodyBytes(config: ApiConfig): number {
  return Math.max(MAX_REQUEST_BYTES, config.maxJobBytes * 2);
}

/** What the server knows about a request beyond the Request itself. */
export interface RequestInfo {
  /**
   * The peer's address (Bun: server.requestIP(req); Node: socket.remoteAddress). May be a getter:
   * only routes with a per-client limit read it, and Bun's lookup costs a hit about a microsecond.
   */
  readonly clientIp?: string | undefined;
}

export interface FetchHandler {
  (req: Request, info?: RequestInfo): Promise<Response>;
  /** Resolves once work answered requests left behind (tracking events) is stored; for shutdown. */
  settle(): Promise<void>;
}

/** Server-side failures worth a log line; client errors (bad input, auth) are the caller's business. */
const LOGGED_CODES = new Set(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);

function logTrpcError(error: TRPCError, path: string | undefined): void {
  if (LOGGED_CODES.has(error.code))
    console.error(JSON.stringify({ msg: "trpc error", path, code: error.code, error: error.message }));
}

export function createApp(input: AppDeps): FetchHandler {
  const deps: ResolvedDeps = {
    ...input,
    metrics: input.metrics ?? createMetrics({ defaults: true }),
    background: new Background(),
  };
  const queue = createQueueAccess(deps.redis, deps.config.redisTimeoutMs);
  const createContext = createContextFactory(deps, queue);
  const bodyLimit = maxBodyBytes(deps.config);
  const tracker = createTracker(deps, queue);
  const unsubscriber = createUnsubscriber(deps, queue);

  /** The client a per-IP limit applies to: behind a trusted proxy, the hop it appended last. */
  const clientOf = (req: Request, info: RequestInfo | undefined): string => {
    if (deps.config.trustProxy) {
      const hops = req.headers.get("x-forwarded-for")?.split(",");
      const last = hops?.[hops.length - 1]?.trim();
      if (last) return last;
    }
    return info?.clientIp ?? "unknown";
  };

  /**
   * Bounds first: no procedure handler may JSON.parse a body that is too large or too deep. Over a
   * bound, the handler gets an empty body and the context throws the 400/413 instead.
   */
  const bounded = async (
    req: Request,
    url: URL,
    handle: (request: Request, context: () => ReturnType<typeof createContext>) => Promise<Response>,
  ): Promise<Response> => {
    const { req: request, problem } = await boundTrpcRequest(req, url, bodyLimit);
    return handle(request, () => {
      if (problem) throw problem;
      return createContext(req.headers);
    });
  };

  const trpc = (request: Request, context: () => ReturnType<typeof createContext>) =>
    fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req: request,
      router: appRouter,
      createContext: context,
      onError: ({ error, path }) => logTrpcError(error, path),
    });

  /** email.send straight to its procedure when nothing about the request needs tRPC's HTTP layer. */
  const send = async (req: Request): Promise<Response> => {
    const { body, problem } = await readBoundedBody(req, bodyLimit);
    if (!problem) {
      const answer = await directSend(body, createContext(req.headers), logTrpcError);
      if (answer) return answer;
    }
    return trpc(requestWithBody(req, body), () => {
      if (problem) throw problem;
      return createContext(req.headers);
    });
  };

  const route = async (req: Request, url: URL, info: RequestInfo | undefined): Promise<[string, Response]> => {
    const { pathname } = url;
    const method = req.method;
    if (pathname === DIRECT_SEND_PATH && takesDirectSend(req, url)) return ["trpc", await send(req)];
    if (pathname === TRPC_ENDPOINT || pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      return ["trpc", await bounded(req, url, trpc)];
    }
    if (pathname.startsWith(`${OPENAPI_ENDPOINT}/`)) {
      // The REST face of the same procedures.
      const response = await bounded(req, url, (request, context) =>
        createOpenApiFetchHandler({
          endpoint: OPENAPI_ENDPOINT,
          req: request,
          router: appRouter,
          createContext: context,
        }),
      );
      return [OPENAPI_ENDPOINT, response];
    }
    const read = method === "GET" || method === "HEAD";
    if (pathname === "/openapi.json" && read) return ["/openapi.json", json(openApiDocument())];
    if (pathname.startsWith("/t/o/") && read)
      return ["/t/o", await tracker.open(pathname.slice(5), () => clientOf(req, info))];
    if (pathname.startsWith("/t/c/") && read)
      return ["/t/c", await tracker.click(pathname.slice(5), () => clientOf(req, info))];
    if (pathname.startsWith(UNSUBSCRIBE_PREFIX)) {
      const token = pathname.slice(UNSUBSCRIBE_PREFIX.length);
      if (read) return ["/u", await unsubscriber.show(token, clientOf(req, info))];
      // The body (the form's field or RFC 8058's List-Unsubscribe=One-Click) is not needed: the token says it all.
      if (method === "POST") return ["/u", await unsubscriber.confirm(token, clientOf(req, info))];
    }
    if (pathname === "/health" && read) return ["/health", await health(deps, queue)];
    if (pathname === "/live" && read) return ["/live", live()];
    if (pathname === "/ready" && read) return ["/ready", await ready(deps)];
    if (pathname === "/metrics" && read) return ["/metrics", await metrics(deps, queue)];
    if (pathname === "/webhooks/sendgrid" && method === "POST")
      return ["/webhooks/sendgrid", await sendgridWebhook(deps, queue, req)];
    if (pathname === "/webhooks/twilio" && method === "POST")
      return ["/webhooks/twilio", await twilioWebhook(deps, queue, req)];
    if (pathname === "/webhooks/msg91" && method === "POST")
      return ["/webhooks/msg91", await msg91Webhook(deps, queue, req)];
    if (pathname === "/queue/test" && method === "POST" && deps.config.dev)
      return ["/queue/test", await queueTest(deps, queue, req)];
    return ["unmatched", json({ error: "not found" }, 404)];
  };

  const handle = async (req: Request, info?: RequestInfo): Promise<Response> => {
    const started = performance.now();
    const [name, response] = await route(req, new URL(req.url), info).catch((error: unknown): [string, Response] => {
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
