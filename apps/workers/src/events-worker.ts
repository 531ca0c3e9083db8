// Email-events worker (seed 000): `bun apps/workers/src/events-worker.ts`. Consumes the
// "email_events" queue (fed by the API's provider webhooks and tracking routes).
import { EMAIL_EVENTS_QUEUE } from "@notify/queue/notifications";
import { configOrExit, loadEventsConfig } from "./config.ts";
import { createEventsHandler } from "./events-handler.ts";
import { createLogger } from "./logger.ts";
import { runWorker } from "./run-worker.ts";

const config = configOrExit(() => loadEventsConfig());
const logger = createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component: "events" });

await runWorker({
  queue: EMAIL_EVENTS_QUEUE,
  redisUrl: config.REDIS_URL,
  concurrency: config.EVENTS_CONCURRENCY,
  graceMs: config.SHUTDOWN_GRACE_MS,
  maxAttempts: config.MAX_ATTEMPTS,
  logger,
  makeHandler: ({ redis }) => createEventsHandler({ redis, logger }),
});
