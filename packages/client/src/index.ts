// Typed client of the notify API for application code and the admin dashboard.
import type { AppRouter } from "@notify/api";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

export type { AppRouter };
export { TRPCClientError } from "@trpc/client";

export interface NotifyClientOptions {
  /** Base URL of the API, e.g. "http://127.0.0.1:4000" (the "/trpc" path is added). */
  url: string;
  /** An API key (service procedures) or the admin token (everything). */
  apiKey?: string;
  /** Custom fetch (tests, proxies, edge runtimes). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

export type NotifyClient = TRPCClient<AppRouter>;

export function createNotifyClient(options: NotifyClientOptions): NotifyClient {
  const base = options.url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: base.endsWith("/trpc") ? base : `${base}/trpc`,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        headers: () => ({
          ...options.headers,
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        }),
      }),
    ],
  });
}
