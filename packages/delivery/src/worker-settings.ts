// The engine settings a delivery worker runs with, read from the environment once with zod: how
// many jobs at once, how many attempts, the retry schedule and the provider account's rate limit.
// The worker processes and the API's workers.drain both take them from here, so a drain retries,
// dead-letters and paces exactly as a worker process does. An unset variable keeps the engine's
// default (docs/workers.md).
import { type Backoff, DEFAULT_BACKOFF, type RateLimit, type WorkerOptions } from "@notify/queue";
import {
  ANALYTICS_QUEUE,
  EMAIL_EVENTS_QUEUE,
  EMAIL_QUEUE,
  SEED_EMAIL_JOB_TYPE,
  SEED_SOURCE_LISTS,
  SMS_QUEUE,
  WEBHOOKS_QUEUE,
} from "@notify/queue/notifications";
import { z } from "zod";
import { type Env, nonNegativeInt, parseEnv, positiveInt } from "./config.ts";

/** Analytics delivers nothing; it runs on the same engine and settings as the channels that do. */
export type Channel = "email" | "sms" | "events" | "webhooks" | "analytics";

export const QUEUE_OF: Record<Channel, string> = {
  email: EMAIL_QUEUE,
  sms: SMS_QUEUE,
  events: EMAIL_EVENTS_QUEUE,
  webhooks: WEBHOOKS_QUEUE,
  analytics: ANALYTICS_QUEUE,
};

/** The pieces of the engine's WorkerOptions that delivery decides; the caller adds the connection. */
export type DeliveryWorkerOptions = Pick<
  WorkerOptions,
  "concurrency" | "maxAttempts" | "backoff" | "limiter" | "sourceLists" | "maxJobBytes" | "defaultType"
>;

// An empty value counts as unset, as everywhere else in the configuration.
const optionalInt = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.coerce.number().int().min(min).max(max).optional(),
  );

const settingsSchema = z
  .object({
    EMAIL_CONCURRENCY: positiveInt(20),
    SMS_CONCURRENCY: positiveInt(10),
    EVENTS_CONCURRENCY: positiveInt(20),
    WEBHOOKS_CONCURRENCY: positiveInt(20),
    /** Reports read whole batches: a few at a time is plenty (seed 002 ran 3). */
    ANALYTICS_CONCURRENCY: positiveInt(3),
    /** Attempts before a job is dead-lettered. */
    MAX_ATTEMPTS: optionalInt(1, 100),
    /** First retry delay; later retries double it (with jitter). */
    RETRY_BASE_MS: optionalInt(1, 86_400_000),
    /** The longest wait between two retries. */
    RETRY_MAX_MS: optionalInt(1, 86_400_000),
    /** Sends per window shared by every process sending through the same account; 0 turns it off. */
    /** Also consume the seeds' own keys (004: queue:email, queue:sms; 000: email_events); "false" turns it off. */
    SEED_KEYS: z.enum(["true", "false"]).default("true"),
    /** The largest job accepted; the API reads the same variable, so what it accepts is run. */
    MAX_JOB_BYTES: optionalInt(8_192, 16 * 1024 * 1024),
    EMAIL_RATE_LIMIT: nonNegativeInt(0),
    EMAIL_RATE_WINDOW_MS: positiveInt(1000),
    SMS_RATE_LIMIT: nonNegativeInt(0),
    SMS_RATE_WINDOW_MS: positiveInt(1000),
  })
  .superRefine((env, ctx) => {
    if (env.RETRY_BASE_MS !== undefined && env.RETRY_MAX_MS !== undefined && env.RETRY_MAX_MS < env.RETRY_BASE_MS)
      ctx.addIssue({ code: "custom", path: ["RETRY_MAX_MS"], message: "must not be below RETRY_BASE_MS" });
  });

export type WorkerSettingsEnv = z.infer<typeof settingsSchema>;

/**
 * The retry schedule from RETRY_BASE_MS (first delay, doubling) and RETRY_MAX_MS (the cap); the
 * one not set keeps the engine's default, and neither set keeps the engine's whole schedule.
 */
export function retryScheduleFrom(env: Pick<WorkerSettingsEnv, "RETRY_BASE_MS" | "RETRY_MAX_MS">): Backoff | undefined {
  if (env.RETRY_BASE_MS === undefined && env.RETRY_MAX_MS === undefined) return undefined;
  const delayMs = env.RETRY_BASE_MS ?? DEFAULT_BACKOFF.delayMs;
  // A base above the default cap would otherwise be cut down to it.
  const maxDelayMs = env.RETRY_MAX_MS ?? Math.max(DEFAULT_BACKOFF.maxDelayMs ?? delayMs, delayMs);
  return { type: "exponential", delayMs: Math.min(delayMs, maxDelayMs), maxDelayMs };
}

/**
 * The provider account's rate limit for one channel, shared through Redis by every process that
 * sends through it (worker processes and drains alike); undefined when the limit is 0 (off).
 * Named by provider and channel: the console providers of email and SMS are not one account.
 */
export function providerRateLimit(
  channel: "email" | "sms",
  provider: string,
  max: number,
  durationMs: number,
): RateLimit | undefined {
  // A failover chain ("sendgrid,ses") shares one bucket; bucket names allow no commas.
  return max > 0 ? { name: `${provider.replaceAll(",", "_")}-${channel}`, max, durationMs } : undefined;
}

/**
 * The engine options for one channel's worker. `provider` names the account the rate limit is
 * shared under (email and SMS only). Throws ConfigError naming a bad variable.
 */
export function workerOptionsFromEnv(channel: Channel, env: Env, provider?: string): DeliveryWorkerOptions {
  const settings = parseEnv(settingsSchema, env);
  const backoff = retryScheduleFrom(settings);
  const limiter =
    channel === "email"
      ? providerRateLimit("email", provider ?? "console", settings.EMAIL_RATE_LIMIT, settings.EMAIL_RATE_WINDOW_MS)
      : channel === "sms"
        ? providerRateLimit("sms", provider ?? "console", settings.SMS_RATE_LIMIT, settings.SMS_RATE_WINDOW_MS)
        : undefined;
  const concurrency = {
    email: settings.EMAIL_CONCURRENCY,
    sms: settings.SMS_CONCURRENCY,
    events: settings.EVENTS_CONCURRENCY,
    webhooks: settings.WEBHOOKS_CONCURRENCY,
    analytics: settings.ANALYTICS_CONCURRENCY,
  }[channel];
  const sourceLists = settings.SEED_KEYS === "true" ? SEED_SOURCE_LISTS[QUEUE_OF[channel]] : undefined;
  return {
    concurrency,
    ...(sourceLists ? { sourceLists: [...sourceLists] } : {}),
    // Seed 003's EmailJob carries no type: it is expanded by the email handler.
    ...(channel === "email" ? { defaultType: SEED_EMAIL_JOB_TYPE } : {}),
    ...(settings.MAX_ATTEMPTS !== undefined ? { maxAttempts: settings.MAX_ATTEMPTS } : {}),
    ...(settings.MAX_JOB_BYTES !== undefined ? { maxJobBytes: settings.MAX_JOB_BYTES } : {}),
    ...(backoff ? { backoff } : {}),
    ...(limiter ? { limiter } : {}),
  };
}
