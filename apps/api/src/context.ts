import type { ApiConfig } from "./config.ts";
import type { AppDeps } from "./deps.ts";
import type { QueueAccess } from "./lib/queues.ts";
import { waitUntilReady } from "./lib/redis-guard.ts";
import { secureEquals } from "./lib/secure-compare.ts";
import type { ApiMetrics } from "./metrics/registry.ts";

export type Caller = "anonymous" | "service" | "admin";

export type ResolvedDeps = AppDeps & { metrics: ApiMetrics };

export interface Context {
  deps: ResolvedDeps;
  caller: Caller;
  /** A queue handle once Redis is ready; `mustExist` answers NOT_FOUND for names never used. */
  queue: QueueAccess;
  /** Resolves once Redis is ready (bounded), for procedures that use the connection directly. */
  ready(): Promise<void>;
}

/** The presented credential: `authorization: Bearer <key>` or `x-api-key: <key>`. */
export function credentialOf(headers: Headers): string | undefined {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  return headers.get("x-api-key")?.trim() || undefined;
}

export function callerOf(credential: string | undefined, config: ApiConfig): Caller {
  if (!credential) return "anonymous";
  // Compare against every key so the time taken does not say which one (or whether any) matched.
  let admin = false;
  let service = false;
  if (config.adminToken && secureEquals(credential, config.adminToken)) admin = true;
  for (const key of config.apiKeys) if (secureEquals(credential, key)) service = true;
  if (admin) return "admin";
  return service ? "service" : "anonymous";
}

export function createContextFactory(deps: ResolvedDeps, queue: QueueAccess): (headers: Headers) => Context {
  const ready = () => waitUntilReady(deps.redis, deps.config.redisTimeoutMs);
  return (headers) => ({ deps, caller: callerOf(credentialOf(headers), deps.config), queue, ready });
}
