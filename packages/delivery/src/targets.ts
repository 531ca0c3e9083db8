// The one place a delivery channel is put together: its handler (providers, templates, rate
// limit, Retry-After) and the engine options it runs with. The worker processes and the API's
// workers.drain both build their targets here, so they cannot drift. Configuration is checked
// first (a ConfigError names the bad variable); the heavy parts (MJML, SendGrid) load only then.
import {
  type Handler,
  type Logger,
  type RateLimit,
  type RedisConnection,
  rateLimiterFor,
  stderrLogger,
} from "@notify/queue";
import { type Env, emailProviderChain, loadEmailSettings, loadSmsSettings, smsProviderChain } from "./config.ts";
import { withMessageLog } from "./message-logging.ts";
import { loadMessageSettings } from "./message-settings.ts";
import { type Channel, type DeliveryWorkerOptions, QUEUE_OF, workerOptionsFromEnv } from "./worker-settings.ts";

/** What runs a channel's jobs: the handler, and the engine options its worker processes use. */
export interface DrainTarget {
  handler: Handler;
  options: DeliveryWorkerOptions;
}

export interface DeliveryTarget extends DrainTarget {
  queue: string;
  /** For a worker's start line: which provider, whether tracking is on. */
  describe: Record<string, unknown>;
}

export interface TargetOptions {
  /** The caller's connection; handlers use it for suppressions, event counts and the rate limit. */
  redis: RedisConnection;
  /** The variables of docs/workers.md; throws ConfigError on a bad one. */
  env: Env;
  logger?: Logger;
}

const CHANNELS: readonly Channel[] = ["email", "sms", "events", "webhooks"];

/** A provider's 429 Retry-After blocks the channel's shared bucket, for workers and drains alike. */
function retryAfterBlocker(redis: RedisConnection, queue: string, limiter: RateLimit | undefined) {
  return (ms: number) => {
    if (limiter)
      void rateLimiterFor(redis, queue, limiter)
        .block(ms)
        .catch(() => {});
  };
}

export async function createDeliveryTarget(channel: Channel, options: TargetOptions): Promise<DeliveryTarget> {
  const { redis, env, logger = stderrLogger } = options;
  const queue = QUEUE_OF[channel];
  const messages = loadMessageSettings(env);
  switch (channel) {
    case "email": {
      const settings = loadEmailSettings(env);
      const { emailChainFor, emailRendererFor, trackingFor } = await import("./wiring.ts");
      const { createEmailHandler } = await import("./email-handler.ts");
      const { CampaignRenderer } = await import("./templates/campaign-renderer.ts");
      const { createCampaignBatcher } = await import("./batching/campaign-batches.ts");
      const provider = emailChainFor(settings, { redis, logger });
      const workerOptions = workerOptionsFromEnv(channel, env, provider.name);
      const renderer = await emailRendererFor(settings);
      const onRetryAfter = retryAfterBlocker(redis, queue, workerOptions.limiter);
      const send = createEmailHandler({
        redis,
        renderer,
        campaigns: new CampaignRenderer(redis, settings.APP_NAME),
        // Only a chain with a provider that batches (SendGrid, SES) gathers campaign jobs.
        ...(provider.maxBatch > 1
          ? {
              campaignBatches: createCampaignBatcher({
                redis,
                provider,
                renderer,
                from: settings.EMAIL_FROM,
                appName: settings.APP_NAME,
                logger,
                onRetryAfter,
              }),
            }
          : {}),
        provider,
        from: settings.EMAIL_FROM,
        logger,
        onRetryAfter,
      });
      const handler = withMessageLog(send, {
        redis,
        queue,
        channel,
        log: messages.log,
        worker: workerOptions,
        logger,
      });
      const describe = { provider: provider.name, tracking: Boolean(trackingFor(settings)) };
      return { queue, handler, options: workerOptions, describe };
    }
    case "sms": {
      const settings = loadSmsSettings(env);
      const { smsChainFor } = await import("./wiring.ts");
      const { createSmsHandler } = await import("./sms-handler.ts");
      const { createSmsBatcher } = await import("./batching/sms-batches.ts");
      const provider = smsChainFor(settings, { redis, logger });
      const workerOptions = workerOptionsFromEnv(channel, env, provider.name);
      const send = createSmsHandler({
        provider,
        // Only a chain with a provider that batches (MSG91 Flow) gathers bulk messages.
        ...(provider.maxBatch > 1 ? { batches: createSmsBatcher(provider) } : {}),
        appName: settings.APP_NAME,
        logger,
        redis,
        onRetryAfter: retryAfterBlocker(redis, queue, workerOptions.limiter),
      });
      const handler = withMessageLog(send, {
        redis,
        queue,
        channel,
        log: messages.log,
        worker: workerOptions,
        logger,
      });
      return { queue, handler, options: workerOptions, describe: { provider: provider.name } };
    }
    case "events": {
      const workerOptions = workerOptionsFromEnv(channel, env);
      const { createEventsHandler } = await import("./events-handler.ts");
      const handler = createEventsHandler({ redis, logger, messageLog: messages.log });
      return { queue, handler, options: workerOptions, describe: {} };
    }
    case "webhooks": {
      const workerOptions = workerOptionsFromEnv(channel, env);
      const { createWebhookHandler } = await import("./webhook-handler.ts");
      const handler = createWebhookHandler({
        redis,
        logger,
        timeoutMs: messages.webhookTimeoutMs,
        pauseAfter: messages.webhookPauseAfter,
      });
      return { queue, handler, options: workerOptions, describe: { pauseAfter: messages.webhookPauseAfter } };
    }
    case "analytics": {
      const workerOptions = workerOptionsFromEnv(channel, env);
      const { createAnalyticsHandler } = await import("./analytics-handler.ts");
      return { queue, handler: createAnalyticsHandler({ redis, logger }), options: workerOptions, describe: {} };
    }
  }
}

/**
 * Drain targets by queue name for workers.drain, each built exactly as its worker process builds
 * it. `logger` gets the channel's name.
 */
export async function createDrainTargets(
  options: Omit<TargetOptions, "logger"> & { logger?: (channel: Channel) => Logger },
): Promise<Record<string, DrainTarget>> {
  const targets = await Promise.all(
    CHANNELS.map((channel) =>
      createDeliveryTarget(channel, { ...options, logger: options.logger?.(channel) ?? stderrLogger }),
    ),
  );
  return Object.fromEntries(
    targets.map(({ queue, handler, options: workerOptions }) => [queue, { handler, options: workerOptions }]),
  );
}

/** A drain's target by queue name; undefined for a queue delivery does not serve. */
export type DrainTargets = (queue: string) => Promise<DrainTarget | undefined>;

/** Throws a ConfigError naming the first bad variable a channel would read. Cheap: zod only. */
export function checkChannelConfig(channel: Channel, env: Env): void {
  loadMessageSettings(env);
  if (channel === "email") workerOptionsFromEnv(channel, env, emailProviderChain(loadEmailSettings(env)).join(","));
  else if (channel === "sms") workerOptionsFromEnv(channel, env, smsProviderChain(loadSmsSettings(env)).join(","));
  else workerOptionsFromEnv(channel, env);
}

/**
 * The API's drain targets: every channel's configuration is checked now (a ConfigError names the
 * bad variable), the targets are built on the first drain and kept. The API starts without MJML
 * or the SendGrid SDK loaded; a failed build is reported to that drain and tried again next time.
 */
export function drainTargetsFor(
  options: Omit<TargetOptions, "logger"> & { logger?: (channel: Channel) => Logger },
): DrainTargets {
  for (const channel of CHANNELS) checkChannelConfig(channel, options.env);
  let targets: Promise<Record<string, DrainTarget>> | undefined;
  return async (queue) => {
    targets ??= createDrainTargets(options).catch((error: unknown) => {
      targets = undefined;
      throw error;
    });
    return (await targets)[queue];
  };
}
