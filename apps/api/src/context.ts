import type { ApiConfig } from "./config.ts";
import type { AppDeps } from "./deps.ts";
import type { Background } from "./lib/background.ts";
import type { QueueAccess } from "./lib/queues.ts";
import { waitUntilReady } from "./lib/redis-guard.ts";
import { digest, digestEquals } from "./lib/secure-compare.ts";
import type { ApiMetrics } from "./metrics/registry.ts";

/** "viewer" holds the read-only admin token: admin queries, nothing that changes anything. */
export type Caller = "anonymous" | "service" | "admin" | "viewer";

export type ResolvedDeps = AppDeps & { metrics: ApiMetrics; background: Background };

export interface Context {
  deps: ResolvedDeps;
  caller: Caller;
  /**
   * The service key's tenant: its jobs, batches and idempotency keys are its own. Null for the
   * admin token (which sees every tenant) and for anonymous callers.
   */
  tenant: string | null;
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

/** Digests of the configured secrets, computed once per config rather than on every request. */
const digestsByConfig = new WeakMap<ApiConfig, { admin: Buffer | null; viewer: Buffer | null; service: Buffer[] }>();

function digestsOf(config: ApiConfig) {
  let digests = digestsByConfig.get(config);
  if (!digests) {
    digests = {
      admin: config.adminToken ? digest(config.adminToken) : null,
      viewer: config.adminViewerToken ? digest(config.adminViewerToken) : null,
      service: config.apiKeys.map(digest),
    };
    digestsByConfig.set(config, digests);
  }
  return digests;
}

export function identify(credential: string | undefined, config: ApiConfig): { caller: Caller; tenant: string | null } {
  if (!credential) return { caller: "anonymous", tenant: null };
  const given = digest(credential);
  const { admin, viewer, service } = digestsOf(config);
  // Compare against every key so the time taken does not say which one (or whether any) matched.
  const isAdmin = admin !== null && digestEquals(given, admin);
  const isViewer = viewer !== null && digestEquals(given, viewer);
  let matched = -1;
  service.forEach((key, index) => {
    if (digestEquals(given, key)) matched = index;
  });
  if (isAdmin) return { caller: "admin", tenant: null };
  if (isViewer) return { caller: "viewer", tenant: null };
  if (matched < 0) return { caller: "anonymous", tenant: null };
  return { caller: "service", tenant: config.tenants[matched] ?? `key-${matched + 1}` };
}

export function callerOf(credential: string | undefined, config: ApiConfig): Caller {
  return identify(credential, config).caller;
}

export function createContextFactory(deps: ResolvedDeps, queue: QueueAccess): (headers: Headers) => Context {
  const ready = () => waitUntilReady(deps.redis, deps.config.redisTimeoutMs);
  return (headers) => ({ deps, ...identify(credentialOf(headers), deps.config), queue, ready });
}
