// SMS worker: `bun apps/workers/src/sms-worker.ts`. OTP jobs are pushed urgent, so they overtake
// any backlog. See docs/workers.md for the environment.
import { SMS_QUEUE } from "@notify/queue/notifications";
import { configOrExit, loadSmsConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { runWorker } from "./run-worker.ts";
import { createSmsHandler } from "./sms-handler.ts";
import { providerRateLimit, smsProviderFor } from "./wiring.ts";

const config = configOrExit(() => loadSmsConfig());
const logger = createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component: "sms" });
const provider = smsProviderFor(config);

await runWorker({
  queue: SMS_QUEUE,
  redisUrl: config.REDIS_URL,
  concurrency: config.SMS_CONCURRENCY,
  graceMs: config.SHUTDOWN_GRACE_MS,
  maxAttempts: config.MAX_ATTEMPTS,
  limiter: providerRateLimit("sms", provider, config.SMS_RATE_LIMIT, config.SMS_RATE_WINDOW_MS),
  logger,
  describe: { provider: provider.name },
  makeHandler: ({ onRetryAfter }) => createSmsHandler({ provider, appName: config.APP_NAME, logger, onRetryAfter }),
});
