// Everything the API reads from the environment: one zod schema, parsed once at start. A bad value
// stops the process with one line naming the variable (never a stack trace, never a silent
// fallback). Nothing else in apps/api reads process.env.
//
// Production unless told otherwise, by the same rule as the admin: NODE_ENV=production is, and so
// is a start with no NODE_ENV at all, unless the project's development runner (`npm start`,
// scripts/start.mjs) marked it with NOTIFY_DEV=1 when it filled in development secrets.
// NODE_ENV=development or test is development. Production demands real secrets
// (docs/security.md); only development has the dev routes (POST /queue/test, tools.*).
import { createHash } from "node:crypto";
import { DEFAULT_MAX_JOB_BYTES, redisEnvironmentProblem } from "@notify/queue";
import { isTimeZone, parseQuietHours, type QuietHours } from "@notify/queue/notifications";
import { z } from "zod";

/** Minimum lengths in production (documented in docs/security.md and the README). */
export const MIN_ADMIN_TOKEN = 32;
export const MIN_API_KEY = 24;
export const MIN_TRACKING_SECRET = 32;

export interface ServiceKey {
  /** Who owns the jobs this key creates: the `name` of a `name:key` entry, else a hash of the key. */
  tenant: string;
  key: string;
}

export interface ApiConfig {
  /** Keys accepted on service procedures (API_KEYS, comma separated, each `key` or `name:key`). */
  apiKeys: string[];
  /** The tenant of each key, in the order of apiKeys. */
  tenants: string[];
  /** Token for admin procedures (ADMIN_TOKEN); also accepted on service procedures. */
  adminToken?: string;
  /** Read-only admin token (ADMIN_VIEWER_TOKEN): every admin query, no mutation, no service procedure. */
  adminViewerToken?: string;
  /** Key of tracking tokens (TRACKING_SECRET), shared with the email worker. */
  trackingSecret?: string;
  /** Tracking tokens older than this are refused (TRACKING_TOKEN_TTL_DAYS). */
  trackingTokenTtlMs: number;
  /** Tracking hits per client IP per minute (TRACKING_RATE_LIMIT); 0 turns the limit off. */
  trackingRateLimit: number;
  /** Take the client IP from X-Forwarded-For's last hop (TRUST_PROXY=true) behind a proxy. */
  trustProxy: boolean;
  /** SendGrid Signed Event Webhook verification key, base64 DER (SENDGRID_WEBHOOK_PUBLIC_KEY). */
  sendgridPublicKey?: string;
  /** Reject signed webhooks older than this (replays); 0 turns the check off. */
  sendgridMaxAgeSeconds: number;
  /** Twilio's auth token (TWILIO_AUTH_TOKEN): the key of X-Twilio-Signature on status callbacks. */
  twilioAuthToken?: string;
  /** The public URL Twilio posts to (TWILIO_WEBHOOK_URL), when a proxy changes the one we see. */
  twilioWebhookUrl?: string;
  /** Shared secret in MSG91's delivery-report URL (MSG91_WEBHOOK_TOKEN); MSG91 signs nothing. */
  msg91WebhookToken?: string;
  /** Development-only routes and procedures (POST /queue/test, tools.*): whenever not in production. */
  dev: boolean;
  production: boolean;
  /** Upper bound of one Redis-backed request; past it the caller gets SERVICE_UNAVAILABLE. */
  redisTimeoutMs: number;
  /** GET /health answers 503 when no worker holds a live lease (off for cron/drain deployments). */
  healthRequireWorkers: boolean;
  /** Largest job (and request body) accepted, in bytes (MAX_JOB_BYTES). */
  maxJobBytes: number;
  /** Shortest interval a schedule may fire at (SCHEDULE_MIN_INTERVAL_SECONDS). */
  scheduleMinIntervalMs: number;
  /** EMAIL_ENABLED / SMS_ENABLED=false (seed 004): the channel's enqueues are refused, nothing is queued. */
  emailEnabled: boolean;
  smsEnabled: boolean;
  /** A queue with more dead letters than this is flagged in /health, /metrics and the admin (0 = off). */
  dlqAlertThreshold: number;
  /** Non-critical messages inside this daily window, in the recipient's zone, are held (QUIET_HOURS). */
  quietHours?: QuietHours;
  /** The zone of a recipient whose job names none (QUIET_HOURS_TIME_ZONE). */
  quietHoursTimeZone: string;
}

/** What only the Bun entry needs: where to listen and what to connect to. */
export interface ServerSettings {
  port: number;
  host: string;
  redisUrl?: string;
  appName?: string;
  appUrl?: string;
  /** The environment as read, for worker.drain's handlers (the workers validate their own part). */
  env: Record<string, string | undefined>;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const text = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: "custom", message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      // on/off too, as the Python client reads EMAIL_ENABLED / SMS_ENABLED.
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  NODE_ENV: text,
  NOTIFY_DEV: flag(false),
  // 0 lets the system pick a free port (tests).
  PORT: integer(4000, 0, 65_535),
  HOST: text.pipe(
    z
      .string()
      .regex(
        /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$/,
        "must be an IP address or a host name",
      )
      .optional(),
  ),
  REDIS_URL: text.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
  ),
  API_KEYS: list,
  ADMIN_TOKEN: text,
  ADMIN_VIEWER_TOKEN: text,
  TRACKING_SECRET: text,
  TRACKING_BASE_URL: text,
  TRACKING_TOKEN_TTL_DAYS: integer(90, 1, 3_650),
  TRACKING_RATE_LIMIT: integer(120, 0, 1_000_000),
  TRUST_PROXY: flag(false),
  SENDGRID_WEBHOOK_PUBLIC_KEY: text,
  SENDGRID_WEBHOOK_MAX_AGE_SECONDS: integer(86_400, 0, 31_536_000),
  TWILIO_AUTH_TOKEN: text,
  TWILIO_WEBHOOK_URL: text.pipe(z.url().optional()),
  MSG91_WEBHOOK_TOKEN: text.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  API_REDIS_TIMEOUT_MS: integer(2_000, 1, 600_000),
  HEALTH_REQUIRE_WORKERS: flag(true),
  MAX_JOB_BYTES: integer(DEFAULT_MAX_JOB_BYTES, 8_192, 16 * 1024 * 1024),
  SCHEDULE_MIN_INTERVAL_SECONDS: integer(60, 1, 86_400),
  EMAIL_ENABLED: flag(true),
  SMS_ENABLED: flag(true),
  DLQ_ALERT_THRESHOLD: integer(100, 0, 1_000_000_000),
  APP_NAME: text,
  APP_URL: text,
  QUIET_HOURS: text.pipe(
    z
      .string()
      .refine((value) => {
        try {
          parseQuietHours(value);
          return true;
        } catch {
          return false;
        }
      }, "must look like 21:00-08:00 (HH:MM-HH:MM, 24-hour)")
      .optional(),
  ),
  QUIET_HOURS_TIME_ZONE: text.pipe(
    z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin").optional(),
  ),
});
type Env = z.infer<typeof envSchema>;

/** `name:key` gives the tenant a name; a bare key is named by a hash of it (never the key itself). */
export function parseServiceKey(entry: string): ServiceKey {
  const named = /^([A-Za-z0-9_.-]{1,40}):(.+)$/.exec(entry);
  if (named?.[1] && named[2]) return { tenant: named[1], key: named[2] };
  return { tenant: `key-${createHash("sha256").update(entry).digest("hex").slice(0, 12)}`, key: entry };
}

export function isProduction(env: { NODE_ENV?: string; NOTIFY_DEV: boolean }): boolean {
  if (env.NODE_ENV === "production") return true;
  if (env.NODE_ENV) return false;
  return !env.NOTIFY_DEV;
}

function productionProblem(env: Env, keys: ServiceKey[]): string | null {
  if (!env.ADMIN_TOKEN) return `ADMIN_TOKEN is required in production (at least ${MIN_ADMIN_TOKEN} characters)`;
  if (env.ADMIN_TOKEN.length < MIN_ADMIN_TOKEN)
    return `ADMIN_TOKEN is too short for production: at least ${MIN_ADMIN_TOKEN} characters`;
  if (keys.length === 0) return `API_KEYS is required in production (each key at least ${MIN_API_KEY} characters)`;
  const index = keys.findIndex((k) => k.key.length < MIN_API_KEY);
  if (index >= 0)
    return `API_KEYS key ${index + 1} (tenant ${keys[index]?.tenant}) is too short for production: at least ${MIN_API_KEY} characters`;
  if (keys.some((k) => k.key === env.ADMIN_TOKEN))
    return "ADMIN_TOKEN must differ from every API_KEYS key (an application's key would be an admin's)";
  if (env.ADMIN_VIEWER_TOKEN && env.ADMIN_VIEWER_TOKEN.length < MIN_ADMIN_TOKEN)
    return `ADMIN_VIEWER_TOKEN is too short for production: at least ${MIN_ADMIN_TOKEN} characters`;
  const tracking = Boolean(env.TRACKING_SECRET || env.TRACKING_BASE_URL);
  if (tracking && !env.TRACKING_SECRET)
    return `TRACKING_SECRET is required in production when tracking is on (at least ${MIN_TRACKING_SECRET} characters)`;
  if (env.TRACKING_SECRET && env.TRACKING_SECRET.length < MIN_TRACKING_SECRET)
    return `TRACKING_SECRET is too short for production: at least ${MIN_TRACKING_SECRET} characters`;
  return null;
}

function parse(env: Record<string, string | undefined>): { env: Env; keys: ServiceKey[]; production: boolean } {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.map(String).join(".") || "environment";
    throw new ConfigError(`invalid configuration: ${name} ${issue?.message ?? "is invalid"}`);
  }
  // Cluster, Sentinel and WAIT settings are read by the engine; checked here so they fail the same way.
  const redisProblem = redisEnvironmentProblem(env as NodeJS.ProcessEnv);
  if (redisProblem) throw new ConfigError(`invalid configuration: ${redisProblem}`);
  const keys = result.data.API_KEYS.map(parseServiceKey);
  const tenants = new Set(keys.map((k) => k.tenant));
  if (tenants.size !== keys.length) throw new ConfigError("invalid configuration: API_KEYS names a tenant twice");
  const viewer = result.data.ADMIN_VIEWER_TOKEN;
  if (viewer && (viewer === result.data.ADMIN_TOKEN || keys.some((k) => k.key === viewer)))
    throw new ConfigError(
      "invalid configuration: ADMIN_VIEWER_TOKEN must differ from ADMIN_TOKEN and every API_KEYS key (a viewer would gain their rights)",
    );
  const production = isProduction(result.data);
  const problem = production ? productionProblem(result.data, keys) : null;
  // Production by default surprises nobody who is told why.
  const why = result.data.NODE_ENV
    ? ""
    : " (NODE_ENV is not set, which means production; set NODE_ENV=development for a local run)";
  if (problem) throw new ConfigError(`invalid configuration: ${problem}${why}`);
  return { env: result.data, keys, production };
}

/** The app's configuration; throws ConfigError with one line naming the variable. */
export function configFromEnv(raw: Record<string, string | undefined> = process.env): ApiConfig {
  const { env, keys, production } = parse(raw);
  return {
    apiKeys: keys.map((k) => k.key),
    tenants: keys.map((k) => k.tenant),
    adminToken: env.ADMIN_TOKEN,
    adminViewerToken: env.ADMIN_VIEWER_TOKEN,
    trackingSecret: env.TRACKING_SECRET,
    trackingTokenTtlMs: env.TRACKING_TOKEN_TTL_DAYS * 86_400_000,
    trackingRateLimit: env.TRACKING_RATE_LIMIT,
    trustProxy: env.TRUST_PROXY,
    sendgridPublicKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY,
    sendgridMaxAgeSeconds: env.SENDGRID_WEBHOOK_MAX_AGE_SECONDS,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN,
    twilioWebhookUrl: env.TWILIO_WEBHOOK_URL,
    msg91WebhookToken: env.MSG91_WEBHOOK_TOKEN,
    dev: !production,
    production,
    redisTimeoutMs: env.API_REDIS_TIMEOUT_MS,
    healthRequireWorkers: env.HEALTH_REQUIRE_WORKERS,
    maxJobBytes: env.MAX_JOB_BYTES,
    scheduleMinIntervalMs: env.SCHEDULE_MIN_INTERVAL_SECONDS * 1000,
    emailEnabled: env.EMAIL_ENABLED,
    smsEnabled: env.SMS_ENABLED,
    dlqAlertThreshold: env.DLQ_ALERT_THRESHOLD,
    ...(env.QUIET_HOURS ? { quietHours: parseQuietHours(env.QUIET_HOURS) } : {}),
    quietHoursTimeZone: env.QUIET_HOURS_TIME_ZONE ?? "UTC",
  };
}

export function serverSettingsFromEnv(raw: Record<string, string | undefined> = process.env): ServerSettings {
  const { env } = parse(raw);
  return {
    port: env.PORT,
    host: env.HOST ?? "127.0.0.1",
    redisUrl: env.REDIS_URL,
    appName: env.APP_NAME,
    appUrl: env.APP_URL,
    env: { ...raw },
  };
}
