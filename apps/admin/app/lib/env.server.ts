// The admin's whole configuration: one zod schema, read once at start (server.mjs calls
// loadAdminEnv before it listens, so a bad value stops the process with one line) and cached.
// Nothing else in the admin reads the environment.
import { randomBytes } from "node:crypto";
import { z } from "zod";

/** Minimum lengths in production (docs/security.md says what each secret protects). */
export const MIN_SESSION_SECRET = 32;
export const MIN_ADMIN_PASSWORD = 12;
export const MIN_ADMIN_TOKEN = 32;

export type CookieSecure = "auto" | "true" | "false";

export interface AdminEnv {
  /** Strict mode: secrets checked, dev tools hidden. See `isProduction`. */
  production: boolean;
  apiUrl: string;
  adminToken: string;
  adminPassword: string;
  /** The read-only login's password (ADMIN_VIEWER_PASSWORD); empty means no viewer login. */
  viewerPassword: string;
  /** The API's read-only token (ADMIN_VIEWER_TOKEN): a viewer's pages are read through it when set. */
  viewerToken: string;
  sessionSecret: string;
  sessionMaxAgeSeconds: number;
  host: string;
  port: number;
  /** Whether the session cookie is marked Secure: always, never, or when the request came over https. */
  cookieSecure: CookieSecure;
  /** Express's "trust proxy": false, true, a hop count, or addresses; X-Forwarded-* count only when set. */
  trustProxy: boolean | number | string;
  login: { perClient: number; global: number; windowSeconds: number };
}

export class AdminConfigError extends Error {
  override readonly name = "AdminConfigError";
}

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((n) => n ?? fallback);

const text = z
  .string()
  .optional()
  .transform((s) => s?.trim() ?? "");

const schema = z.object({
  NODE_ENV: text,
  NOTIFY_DEV: text,
  API_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4000"),
  ADMIN_TOKEN: text,
  ADMIN_PASSWORD: z.string().optional().default(""),
  ADMIN_VIEWER_PASSWORD: z.string().optional().default(""),
  ADMIN_VIEWER_TOKEN: text,
  SESSION_SECRET: text,
  SESSION_MAX_AGE_SECONDS: int(1, 7 * 24 * 3600, 12 * 3600),
  HOST: text.transform((h) => h || "127.0.0.1"),
  PORT: int(0, 65_535, 3000),
  COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
  TRUST_PROXY: text,
  LOGIN_MAX_ATTEMPTS_PER_CLIENT: int(1, 100_000, 10),
  LOGIN_MAX_ATTEMPTS_GLOBAL: int(1, 1_000_000, 100),
  LOGIN_WINDOW_SECONDS: int(1, 86_400, 15 * 60),
});

/**
 * Production unless told otherwise: NODE_ENV=production always is, and so is a start with no
 * NODE_ENV at all (a bare `npm start -w @notify/admin`), unless the project's own development
 * runner (`npm start`, scripts/start.mjs) marks it with NOTIFY_DEV=1. NODE_ENV=development or
 * test is development.
 */
export function isProduction(env: { NODE_ENV: string; NOTIFY_DEV: string }): boolean {
  if (env.NODE_ENV === "production") return true;
  if (env.NODE_ENV) return false;
  return env.NOTIFY_DEV !== "1";
}

function trustProxyValue(raw: string): boolean | number | string {
  if (raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function tooShort(name: string, value: string, min: number): string | null {
  if (!value) return `${name} is not set; production needs one of at least ${min} characters`;
  // The length itself is not printed: a log line should not say how short a secret is.
  if (value.length < min) return `${name} is too short; production needs at least ${min} characters`;
  return null;
}

export function parseAdminEnv(source: Record<string, string | undefined>): AdminEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminConfigError(`${String(issue?.path[0] ?? "environment")}: ${issue?.message ?? "invalid"}`);
  }
  const env = parsed.data;
  const production = isProduction(env);
  // Always, not only in production: one password for both roles would make every viewer an admin.
  if (env.ADMIN_VIEWER_PASSWORD && env.ADMIN_VIEWER_PASSWORD === env.ADMIN_PASSWORD)
    throw new AdminConfigError("ADMIN_VIEWER_PASSWORD must differ from ADMIN_PASSWORD");
  if (env.ADMIN_VIEWER_TOKEN && env.ADMIN_VIEWER_TOKEN === env.ADMIN_TOKEN)
    throw new AdminConfigError("ADMIN_VIEWER_TOKEN must differ from ADMIN_TOKEN");
  if (production && env.ADMIN_VIEWER_PASSWORD) {
    const problem = tooShort("ADMIN_VIEWER_PASSWORD", env.ADMIN_VIEWER_PASSWORD, MIN_ADMIN_PASSWORD);
    if (problem) throw new AdminConfigError(problem);
  }
  if (production) {
    const problem =
      tooShort("SESSION_SECRET", env.SESSION_SECRET, MIN_SESSION_SECRET) ??
      tooShort("ADMIN_PASSWORD", env.ADMIN_PASSWORD, MIN_ADMIN_PASSWORD) ??
      tooShort("ADMIN_TOKEN", env.ADMIN_TOKEN, MIN_ADMIN_TOKEN);
    if (problem) throw new AdminConfigError(problem);
  }
  return {
    production,
    apiUrl: env.API_URL,
    adminToken: env.ADMIN_TOKEN,
    adminPassword: env.ADMIN_PASSWORD,
    viewerPassword: env.ADMIN_VIEWER_PASSWORD,
    viewerToken: env.ADMIN_VIEWER_TOKEN,
    // Development only: without a secret, sessions simply end when the process restarts.
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString("hex"),
    sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
    host: env.HOST,
    port: env.PORT,
    cookieSecure: env.COOKIE_SECURE,
    trustProxy: trustProxyValue(env.TRUST_PROXY),
    login: {
      perClient: env.LOGIN_MAX_ATTEMPTS_PER_CLIENT,
      global: env.LOGIN_MAX_ATTEMPTS_GLOBAL,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
  };
}

let cached: AdminEnv | null = null;

/** At start (server.mjs): parse the environment as the process got it, once; throws AdminConfigError. */
export function loadAdminEnv(source: Record<string, string | undefined>): AdminEnv {
  cached = parseAdminEnv(source);
  return cached;
}

/** The configuration, parsed from process.env on first use. */
export function adminEnv(): AdminEnv {
  cached ??= parseAdminEnv(process.env);
  return cached;
}

/** Tests change the environment between cases. */
export function resetAdminEnv(): void {
  cached = null;
}
