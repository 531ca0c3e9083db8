// Everything the API reads from the environment, parsed once at startup so a missing secret is
// visible in one place instead of failing on the first request that needs it.

export interface ApiConfig {
  /** Keys accepted on service procedures (API_KEYS, comma separated). */
  apiKeys: string[];
  /** Token for admin procedures (ADMIN_TOKEN); also accepted on service procedures. */
  adminToken?: string;
  /** HMAC secret of tracking tokens (TRACKING_SECRET), shared with the email worker. */
  trackingSecret?: string;
  /** SendGrid Signed Event Webhook verification key, base64 DER (SENDGRID_WEBHOOK_PUBLIC_KEY). */
  sendgridPublicKey?: string;
  /** Reject signed webhooks older than this (replays); 0 turns the check off. */
  sendgridMaxAgeSeconds: number;
  /** Development-only routes and procedures (POST /queue/test, tools.*). */
  dev: boolean;
  /** Upper bound of one Redis-backed request; past it the caller gets SERVICE_UNAVAILABLE. */
  redisTimeoutMs: number;
  /** GET /health answers 503 when no worker holds a live lease (off for cron/drain deployments). */
  healthRequireWorkers: boolean;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function integer(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value !== "" && Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): ApiConfig {
  return {
    apiKeys: list(env.API_KEYS),
    adminToken: optional(env.ADMIN_TOKEN),
    trackingSecret: optional(env.TRACKING_SECRET),
    sendgridPublicKey: optional(env.SENDGRID_WEBHOOK_PUBLIC_KEY),
    sendgridMaxAgeSeconds: integer(env.SENDGRID_WEBHOOK_MAX_AGE_SECONDS, 86_400),
    dev: env.NODE_ENV !== "production",
    redisTimeoutMs: integer(env.API_REDIS_TIMEOUT_MS, 2_000),
    healthRequireWorkers: env.HEALTH_REQUIRE_WORKERS !== "false",
  };
}
