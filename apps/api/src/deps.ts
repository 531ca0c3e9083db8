// What the app needs from the outside world, passed in so tests and the Bun entry wire the same code.
import type { Handler, RateLimit } from "@notify/queue";
import type { ApiConfig } from "./config.ts";
import type { RedisConnection } from "./lib/redis-guard.ts";
import type { ApiMetrics } from "./metrics/registry.ts";

export type JobHandler = Handler;

/** What worker.drain runs for a queue: its handler, and the rate limit its worker processes share. */
export interface DrainTarget {
  handler: JobHandler;
  limiter?: RateLimit;
}

export interface TemplateRenderer {
  renderEmail(
    template: string,
    data: Record<string, unknown>,
  ): Promise<{ subject: string; html: string; text?: string }>;
  renderSms(template: string, data: Record<string, unknown>): Promise<{ text: string }>;
}

export interface AppDeps {
  redis: RedisConnection;
  config: ApiConfig;
  /** What worker.drain may run, by queue name (the workers package provides them). */
  handlers?: Record<string, DrainTarget>;
  /** Email and SMS rendering for templates.preview (the workers package provides it). */
  templates?: TemplateRenderer;
  /** Shared with other apps in one process (tests); created by createApp when absent. */
  metrics?: ApiMetrics;
}
