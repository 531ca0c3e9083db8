// Email worker: `bun apps/workers/src/email-worker.ts`. See docs/workers.md for the environment.
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { configOrExit, loadEmailConfig } from "./config.ts";
import { createEmailHandler } from "./email-handler.ts";
import { createLogger } from "./logger.ts";
import { runWorker } from "./run-worker.ts";
import { emailProviderFor, emailRendererFor, providerRateLimit, trackingFor } from "./wiring.ts";

const config = configOrExit(() => loadEmailConfig());
const logger = createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component: "email" });
const provider = emailProviderFor(config);
const tracking = trackingFor(config);
const renderer = await emailRendererFor(config);

await runWorker({
  queue: EMAIL_QUEUE,
  redisUrl: config.REDIS_URL,
  concurrency: config.EMAIL_CONCURRENCY,
  graceMs: config.SHUTDOWN_GRACE_MS,
  maxAttempts: config.MAX_ATTEMPTS,
  limiter: providerRateLimit("email", provider, config.EMAIL_RATE_LIMIT, config.EMAIL_RATE_WINDOW_MS),
  logger,
  describe: { provider: provider.name, tracking: Boolean(tracking) },
  makeHandler: ({ redis, onRetryAfter }) =>
    createEmailHandler({ redis, renderer, provider, from: config.EMAIL_FROM, logger, onRetryAfter }),
});
