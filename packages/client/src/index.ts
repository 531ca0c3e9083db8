// Typed client of the notify API for application code and the admin dashboard.
import type { AppRouter } from "@notify/api";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

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

// Verifying the status webhooks notify POSTs to an application (Standard Webhooks: webhook-id,
// webhook-timestamp, webhook-signature, HMAC-SHA256 with the endpoint's `whsec_` secret). Pass the
// raw body exactly as received: re-serialized JSON does not verify. Kept in this one module: the
// published client is this file transpiled alone (scripts/build-packages.mjs).

export { WebhookVerificationError };

/** The body of a status webhook. */
export interface NotifyWebhookEvent {
  /** `message.sent`, `message.delivered`, ... or `webhook.test`. */
  type: string;
  timestamp: string;
  data: {
    message?: {
      id: string;
      channel: "email" | "sms";
      to: string;
      template: string;
      status: string;
      attempts: number;
      provider?: string;
      providerMessageId?: string;
      batchId?: string;
      idempotencyKey?: string;
      [field: string]: unknown;
    };
    event?: { type: string; at: string; url?: string; reason?: string; bounceType?: "hard" | "soft" };
    [field: string]: unknown;
  };
}

/**
 * Checks the signature and the timestamp (5 minutes either way) and returns the parsed event.
 * Throws WebhookVerificationError when either is wrong. De-duplicate by the `webhook-id` header:
 * delivery is at least once.
 */
export function verifyWebhook(
  secret: string,
  rawBody: string,
  headers: Headers | Record<string, string | string[] | undefined>,
): NotifyWebhookEvent {
  const get = (name: string): string => {
    if (headers instanceof Headers) return headers.get(name) ?? "";
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
  };
  const wanted = {
    "webhook-id": get("webhook-id"),
    "webhook-timestamp": get("webhook-timestamp"),
    "webhook-signature": get("webhook-signature"),
  };
  return new Webhook(secret).verify(rawBody, wanted) as NotifyWebhookEvent;
}
