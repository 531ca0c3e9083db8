// One API on a throw-away Redis, served over HTTP, with a client per kind of caller.

import { createNotifyClient, type NotifyClient } from "@notify/client";
import { createRedis } from "@notify/queue";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { createApp, type FetchHandler } from "../../src/app.ts";
import { type ApiConfig, configFromEnv } from "../../src/config.ts";
import type { DrainTarget, TemplateRenderer } from "../../src/deps.ts";
import type { RedisConnection } from "../../src/lib/redis-guard.ts";
import { type ServedApp, serve } from "./node-server.ts";

export const SERVICE_KEY = "service-key-for-tests";
export const OTHER_SERVICE_KEY = "second-service-key";
export const ADMIN_TOKEN = "admin-token-for-tests";
export const TRACKING_SECRET = "tracking-secret-for-tests";

export interface Harness {
  redisServer: RedisServerHandle;
  redis: RedisConnection;
  app: ServedApp;
  /** The fetch handler behind `app`, for settle() and socket-less calls. */
  handler: FetchHandler;
  config: ApiConfig;
  anonymous: NotifyClient;
  service: NotifyClient;
  admin: NotifyClient;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<ApiConfig>;
  /** Keep an append-only file so a Redis restart keeps the data (outage tests). */
  appendOnly?: boolean;
  /** Read at each drain, so a test may swap a queue's target. */
  handlers?: Record<string, DrainTarget>;
  templates?: TemplateRenderer;
}

export function testConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    ...configFromEnv({ NODE_ENV: "test" }),
    apiKeys: [SERVICE_KEY, OTHER_SERVICE_KEY],
    adminToken: ADMIN_TOKEN,
    trackingSecret: TRACKING_SECRET,
    tenants: ["tests", "other"],
    healthRequireWorkers: false,
    redisTimeoutMs: 1_000,
    dev: true,
    ...overrides,
  };
}

export function testRedis(url: string): RedisConnection {
  const redis = createRedis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => {
    // Outage tests stop Redis on purpose; the API reports it, the test asserts on that.
  });
  return redis;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const redisServer = await startRedisServer({ appendOnly: options.appendOnly ?? false });
  const redis = testRedis(redisServer.url);
  const config = testConfig(options.config);
  const handler = createApp({
    redis,
    config,
    ...(options.handlers ? { drainTargets: async (queue: string) => options.handlers?.[queue] } : {}),
    ...(options.templates ? { templates: options.templates } : {}),
  });
  const app = await serve(handler);
  return {
    redisServer,
    redis,
    app,
    handler,
    config,
    anonymous: createNotifyClient({ url: app.url }),
    service: createNotifyClient({ url: app.url, apiKey: SERVICE_KEY }),
    admin: createNotifyClient({ url: app.url, apiKey: ADMIN_TOKEN }),
    async close() {
      await app.close();
      redis.disconnect();
      await redisServer.stop();
    },
  };
}
