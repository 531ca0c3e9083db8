// Worker configuration comes only from the environment and is checked once at start: a bad value
// stops the process with one line naming the variable instead of failing on the first job.
import { DEFAULT_REDIS_URL } from "@notify/queue";
import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === "" ? undefined : value));
const optionalUrl = optionalText.pipe(z.url().optional());

const commonShape = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .default(DEFAULT_REDIS_URL),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Per-component debug switches in the style of the `debug` package, e.g. "worker:*" or "worker:email,worker:sms". */
  DEBUG: z.string().default(""),
  /** Brand name used in email and SMS text. */
  APP_NAME: z.string().trim().min(1).max(60).default("Notify"),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
  PROVIDER_TIMEOUT_MS: positiveInt(10_000),
  /** Attempts before a job is dead-lettered; unset keeps the engine's default. */
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).optional(),
};

const emailShape = {
  ...commonShape,
  SENDGRID_API_KEY: optionalText,
  /** Only for the local stand-in and tests; production uses SendGrid's own host. */
  SENDGRID_BASE_URL: optionalUrl,
  EMAIL_FROM: z.string().trim().min(3).default("Notify <no-reply@example.com>"),
  EMAIL_CONCURRENCY: positiveInt(20),
  /** Sends per EMAIL_RATE_WINDOW_MS shared by every email worker through Redis; 0 turns the limit off. */
  EMAIL_RATE_LIMIT: nonNegativeInt(0),
  EMAIL_RATE_WINDOW_MS: positiveInt(1000),
  OUTBOX_DIR: optionalText,
  APP_URL: z.url().default("http://localhost:3000"),
  TRACKING_BASE_URL: optionalUrl,
  TRACKING_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
};

const smsShape = {
  ...commonShape,
  MSG91_AUTH_KEY: optionalText,
  MSG91_SENDER_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{3,11}$/, "must be 3 to 11 letters or digits")
    .default("NOTIFY"),
  MSG91_BASE_URL: z.url().default("https://api.msg91.com"),
  MSG91_ROUTE: z.string().default("4"),
  SMS_CONCURRENCY: positiveInt(10),
  SMS_RATE_LIMIT: nonNegativeInt(0),
  SMS_RATE_WINDOW_MS: positiveInt(1000),
  OUTBOX_DIR: optionalText,
};

const eventsShape = {
  ...commonShape,
  EVENTS_CONCURRENCY: positiveInt(20),
};

const emailSchema = z.object(emailShape).superRefine((env, ctx) => {
  if (Boolean(env.TRACKING_BASE_URL) !== Boolean(env.TRACKING_SECRET)) {
    const missing = env.TRACKING_BASE_URL ? "TRACKING_SECRET" : "TRACKING_BASE_URL";
    ctx.addIssue({ code: "custom", path: [missing], message: "is required when tracking is on (set both or neither)" });
  }
});

const smsSchema = z.object(smsShape);
const eventsSchema = z.object(eventsShape);

export type EmailConfig = z.infer<typeof emailSchema>;
export type SmsConfig = z.infer<typeof smsSchema>;
export type EventsConfig = z.infer<typeof eventsSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

function parse<T>(schema: z.ZodType<T>, env: Env): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join(".") || "environment";
  const value = issue?.path.length ? env[String(issue.path[0])] : undefined;
  const problem =
    value === undefined || value === ""
      ? issue?.code === "invalid_type"
        ? "is required"
        : issue?.message
      : issue?.message;
  throw new ConfigError(`invalid configuration: ${name} ${problem ?? "is invalid"}`);
}

export const loadEmailConfig = (env: Env = process.env): EmailConfig => parse(emailSchema, env);
export const loadSmsConfig = (env: Env = process.env): SmsConfig => parse(smsSchema, env);
export const loadEventsConfig = (env: Env = process.env): EventsConfig => parse(eventsSchema, env);

/** Loads configuration or ends the process with exit code 1 and one line on stderr. */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
