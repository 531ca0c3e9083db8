// A worker process's own settings (Redis, logging, shutdown), checked once at start; delivery's
// settings (providers, templates, concurrency, retries, rate limits) come from @notify/delivery,
// the same functions the API's drains use. A bad value stops the process with one line naming the
// variable instead of failing on the first job.
import {
  ConfigError,
  type EmailSettings,
  type Env,
  loadEmailSettings,
  loadMessageSettings,
  loadSmsSettings,
  parseEnv,
  type SmsSettings,
  workerOptionsFromEnv,
} from "@notify/delivery";
import { DEFAULT_REDIS_URL, nextRun, redisEnvironmentProblem, redisUrlFromEnv } from "@notify/queue";
import { z } from "zod";

export { ConfigError };

const redisUrl = z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL");

const processSchema = z.object({
  /** Seed 001's name for REDIS_URL; named first so a bad value is reported under its own name. */
  QUEUE_REDIS_URL: redisUrl.optional(),
  REDIS_URL: redisUrl.default(DEFAULT_REDIS_URL),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Per-component debug switches in the style of the `debug` package, e.g. "worker:*" or "worker:email,worker:sms". */
  DEBUG: z.string().default(""),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
});

export type ProcessConfig = Omit<z.infer<typeof processSchema>, "QUEUE_REDIS_URL">;
export type EmailConfig = ProcessConfig & EmailSettings & { EMAIL_CONCURRENCY: number };
export type SmsConfig = ProcessConfig & SmsSettings & { SMS_CONCURRENCY: number };
export type EventsConfig = ProcessConfig & { EVENTS_CONCURRENCY: number };
export type WebhooksConfig = ProcessConfig & { WEBHOOKS_CONCURRENCY: number };
export type AnalyticsConfig = ProcessConfig & { ANALYTICS_CONCURRENCY: number; ANALYTICS_DAILY_CRON: string };

export const loadProcessConfig = (env: Env = process.env): ProcessConfig => {
  // The engine's own Redis variables (cluster and sentinel node lists, durable pushes).
  const redisProblem = redisEnvironmentProblem(env);
  // In the same one-line shape as every other variable: "invalid configuration: NAME problem".
  if (redisProblem) throw new ConfigError(`invalid configuration: ${redisProblem.replace(/^([A-Z_]+): /, "$1 ")}`);
  // Seed 001's QUEUE_REDIS_URL stands in for REDIS_URL; REDIS_URL wins when both are set.
  const given = redisUrlFromEnv(env);
  const { QUEUE_REDIS_URL: _alias, ...config } = parseEnv(processSchema, {
    ...env,
    QUEUE_REDIS_URL: env.QUEUE_REDIS_URL?.trim() || undefined,
    REDIS_URL: given,
  });
  return config;
};

// Everything a channel's worker reads, checked in one go so a bad variable is found at start.
export const loadEmailConfig = (env: Env = process.env): EmailConfig => ({
  ...loadProcessConfig(env),
  ...loadEmailSettings(env),
  EMAIL_CONCURRENCY: workerOptionsFromEnv("email", env).concurrency ?? 0,
});
export const loadSmsConfig = (env: Env = process.env): SmsConfig => ({
  ...loadProcessConfig(env),
  ...loadSmsSettings(env),
  SMS_CONCURRENCY: workerOptionsFromEnv("sms", env).concurrency ?? 0,
});
export const loadEventsConfig = (env: Env = process.env): EventsConfig => ({
  ...loadProcessConfig(env),
  EVENTS_CONCURRENCY: workerOptionsFromEnv("events", env).concurrency ?? 0,
});

const analyticsSchema = z.object({
  /** When the daily-aggregation job runs, in UTC (it aggregates the day before). */
  ANALYTICS_DAILY_CRON: z
    .string()
    .trim()
    .default("15 0 * * *")
    .refine((cron) => {
      try {
        nextRun(cron, "UTC", Date.now());
        return true;
      } catch {
        return false;
      }
    }, "must be a cron expression, e.g. 15 0 * * *"),
});

export const loadAnalyticsConfig = (env: Env = process.env): AnalyticsConfig => ({
  ...loadProcessConfig(env),
  ...parseEnv(analyticsSchema, env),
  ANALYTICS_CONCURRENCY: workerOptionsFromEnv("analytics", env).concurrency ?? 0,
});

const enabledFlag = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((value, ctx) => {
    // The words the Python client reads for the same variables.
    if (value === undefined || value === "" || /^(1|true|yes|on)$/.test(value)) return true;
    if (/^(0|false|no|off)$/.test(value)) return false;
    ctx.addIssue({ code: "custom", message: "must be true or false" });
    return z.NEVER;
  });

/**
 * Seed 004's EMAIL_ENABLED / SMS_ENABLED for a channel's worker (the events worker has none):
 * false keeps the process up without claiming anything, so the channel's jobs wait, none lost.
 */
export function channelSwitch(channel: string, env: Env = process.env): { variable: string; enabled: boolean } | null {
  const variable = channel === "email" ? "EMAIL_ENABLED" : channel === "sms" ? "SMS_ENABLED" : null;
  if (!variable) return null;
  const { value } = parseEnv(
    z.object({ [variable]: enabledFlag }).transform((o) => ({ value: o[variable] })),
    env,
  );
  return { variable, enabled: value !== false };
}

export const loadWebhooksConfig = (env: Env = process.env): WebhooksConfig => {
  loadMessageSettings(env);
  return { ...loadProcessConfig(env), WEBHOOKS_CONCURRENCY: workerOptionsFromEnv("webhooks", env).concurrency ?? 0 };
};

/** Loads configuration or ends the process with exit code 1 and one line on stderr. */
export async function configOrExit<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
