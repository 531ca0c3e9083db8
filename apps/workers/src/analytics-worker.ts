// Analytics worker (seed 002's analytics queue): `bun apps/workers/src/analytics-worker.ts`.
// Consumes the "analytics" queue: campaign-complete (a campaign's report) and daily-aggregation
// (a UTC day's report), and registers the daily schedule (ANALYTICS_DAILY_CRON) at start.
import { registerDailyAggregation } from "@notify/queue/notifications";
import { loadAnalyticsConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

let dailyCron = "";
await runWorker({
  channel: "analytics",
  loadConfig: () => {
    const config = loadAnalyticsConfig();
    dailyCron = config.ANALYTICS_DAILY_CRON;
    return config;
  },
  beforeStart: (redis) => registerDailyAggregation(redis, dailyCron),
});
