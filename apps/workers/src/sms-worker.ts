// SMS worker: `bun apps/workers/src/sms-worker.ts`. OTP jobs are pushed urgent, so they overtake
// any backlog. See docs/workers.md for the environment.
import { SMS_QUEUE } from "@notify/queue/notifications";
import { configOrExit, loadSmsConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { createConsoleSmsProvider } from "./providers/console.ts";
import { createMsg91Provider } from "./providers/msg91.ts";
import { runWorker } from "./run-worker.ts";
import { createSmsHandler } from "./sms-handler.ts";

const config = configOrExit(() => loadSmsConfig());
const logger = createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component: "sms" });
const provider = config.MSG91_AUTH_KEY
  ? createMsg91Provider({
      authKey: config.MSG91_AUTH_KEY,
      senderId: config.MSG91_SENDER_ID,
      route: config.MSG91_ROUTE,
      baseUrl: config.MSG91_BASE_URL,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
    })
  : createConsoleSmsProvider({ outboxDir: config.OUTBOX_DIR });

await runWorker({
  queue: SMS_QUEUE,
  redisUrl: config.REDIS_URL,
  concurrency: config.SMS_CONCURRENCY,
  graceMs: config.SHUTDOWN_GRACE_MS,
  maxAttempts: config.MAX_ATTEMPTS,
  limiter:
    config.SMS_RATE_LIMIT > 0
      ? { name: provider.name, max: config.SMS_RATE_LIMIT, durationMs: config.SMS_RATE_WINDOW_MS }
      : undefined,
  logger,
  describe: { provider: provider.name },
  makeHandler: ({ onRetryAfter }) => createSmsHandler({ provider, appName: config.APP_NAME, logger, onRetryAfter }),
});
