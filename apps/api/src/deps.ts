// What the app needs from the outside world, passed in so tests and the Bun entry wire the same code.
import type { DrainTargets, PreviewRenderer } from "@notify/delivery";
import type { Handler } from "@notify/queue";
import type { ApiConfig } from "./config.ts";
import type { RedisConnection } from "./lib/redis-guard.ts";
import type { ApiMetrics } from "./metrics/registry.ts";

export type JobHandler = Handler;

export type { DrainTarget, DrainTargets } from "@notify/delivery";
export type TemplateRenderer = PreviewRenderer;

export interface AppDeps {
  redis: RedisConnection;
  config: ApiConfig;
  /** What workers.drain runs for a queue, with the workers' own settings (@notify/delivery). */
  drainTargets?: DrainTargets;
  /** Email and SMS rendering for templates.preview (@notify/delivery). */
  templates?: TemplateRenderer;
  /** Shared with other apps in one process (tests); created by createApp when absent. */
  metrics?: ApiMetrics;
}
