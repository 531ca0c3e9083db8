// What delivery reads from the environment: providers, sender, templates, tracking. Checked once
// with zod, and a bad value is one line naming the variable (ConfigError), never a stack trace or a
// silent fallback. The worker processes add their own process settings (Redis, logging, shutdown);
// a drain inside the API reads exactly these, so it sends the way a worker process does.
import { z } from "zod";

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === "" ? undefined : value));
const optionalUrl = optionalText.pipe(z.url().optional());
/** "console" must be chosen by name in production; unset picks the real provider when its key is set. */
const providerChoice = <T extends string>(...real: T[]) => optionalText.pipe(z.enum([...real, "console"]).optional());

export const EMAIL_PROVIDER_NAMES = ["sendgrid", "resend", "ses", "smtp"] as const;
export const SMS_PROVIDER_NAMES = ["msg91", "twilio"] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDER_NAMES)[number] | "console";
export type SmsProviderName = (typeof SMS_PROVIDER_NAMES)[number] | "console";

/** An ordered failover chain, "sendgrid,ses,smtp": each name once, at most five. */
const providerChain = <T extends string>(...real: T[]) =>
  optionalText.pipe(
    z
      .string()
      .transform((list) => list.split(",").map((name) => name.trim()))
      .pipe(
        z
          .array(z.enum([...real, "console"]))
          .min(1)
          .max(5)
          .refine((names) => new Set(names).size === names.length, "must not name a provider twice"),
      )
      .optional(),
  );

const commonShape = {
  NODE_ENV: optionalText,
  /** Brand name used in email and SMS text. */
  APP_NAME: z.string().trim().min(1).max(60).default("Notify"),
  PROVIDER_TIMEOUT_MS: positiveInt(10_000),
  OUTBOX_DIR: optionalText,
  /** Retryable failures in a row (timeouts, 5xx, 429) that open a provider's circuit breaker. */
  BREAKER_FAILURES: positiveInt(5),
  /** How long an open breaker sends messages to the next provider before it probes again. */
  BREAKER_OPEN_MS: positiveInt(30_000),
  /** The same after the provider rejected the credentials (401/403). */
  BREAKER_CREDENTIALS_OPEN_MS: positiveInt(300_000),
};

const emailSchema = z
  .object({
    ...commonShape,
    EMAIL_PROVIDER: providerChoice(...EMAIL_PROVIDER_NAMES),
    /** Failover chain, tried in order; overrides EMAIL_PROVIDER. */
    EMAIL_PROVIDERS: providerChain(...EMAIL_PROVIDER_NAMES),
    SENDGRID_API_KEY: optionalText,
    /** Only for the local stand-in and tests; production uses SendGrid's own host. */
    SENDGRID_BASE_URL: optionalUrl,
    /** Seed 001's provider; used when chosen, or when its key is set and SendGrid's is not. */
    RESEND_API_KEY: optionalText,
    /** Only for the local stand-in and tests; production uses Resend's own host. */
    RESEND_BASE_URL: optionalUrl,
    /** Amazon SES v2: the region; credentials come from the AWS SDK's usual chain (env, profile, role). */
    SES_REGION: optionalText,
    /** Only for the local stand-in and tests (or a VPC endpoint). */
    SES_ENDPOINT: optionalUrl,
    SES_CONFIGURATION_SET: optionalText,
    /** smtp://user:pass@host:587 or smtps://...:465 */
    SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
    EMAIL_FROM: z.string().trim().min(3).default("Notify <no-reply@example.com>"),
    APP_URL: z.url().default("http://localhost:3000"),
    TRACKING_BASE_URL: optionalUrl,
    TRACKING_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TRACKING_BASE_URL) !== Boolean(env.TRACKING_SECRET)) {
      const missing = env.TRACKING_BASE_URL ? "TRACKING_SECRET" : "TRACKING_BASE_URL";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "is required when tracking is on (set both or neither)",
      });
    }
    if (env.EMAIL_PROVIDERS) {
      for (const name of env.EMAIL_PROVIDERS) requireChainMember(env, ctx, "EMAIL_PROVIDERS", EMAIL_NEEDS[name]);
      return;
    }
    const key =
      env.EMAIL_PROVIDER === "resend" || (!env.EMAIL_PROVIDER && !env.SENDGRID_API_KEY && env.RESEND_API_KEY)
        ? "RESEND_API_KEY"
        : env.EMAIL_PROVIDER === "ses"
          ? "SES_REGION"
          : env.EMAIL_PROVIDER === "smtp"
            ? "SMTP_URL"
            : "SENDGRID_API_KEY";
    requireKeyInProduction(env, ctx, { key, choice: "EMAIL_PROVIDER" });
  });

const smsSchema = z
  .object({
    ...commonShape,
    SMS_PROVIDER: providerChoice(...SMS_PROVIDER_NAMES),
    /** Failover chain, tried in order; overrides SMS_PROVIDER. */
    SMS_PROVIDERS: providerChain(...SMS_PROVIDER_NAMES),
    MSG91_AUTH_KEY: optionalText,
    MSG91_SENDER_ID: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{3,11}$/, "must be 3 to 11 letters or digits")
      .default("NOTIFY"),
    MSG91_BASE_URL: z.url().default("https://api.msg91.com"),
    MSG91_ROUTE: z.string().default("4"),
    /** "v2" (sendsms, old accounts) or "flow" (v5 Flow API with DLT-registered templates). */
    MSG91_API: z.enum(["v2", "flow"]).default("v2"),
    MSG91_FLOW_BASE_URL: z.url().default("https://control.msg91.com"),
    /** JSON: template name -> {"flowId": "...", "dltTemplateId": "..."} (MSG91's flow / template id). */
    MSG91_FLOW_TEMPLATES: optionalText.pipe(z.string().max(65_536).optional()),
    TWILIO_ACCOUNT_SID: optionalText.pipe(
      z
        .string()
        .regex(/^AC[0-9a-fA-F]{32}$/, "must be AC and 32 hex digits")
        .optional(),
    ),
    TWILIO_AUTH_TOKEN: optionalText,
    /** A Twilio number (E.164) or alphanumeric sender id; or TWILIO_MESSAGING_SERVICE_SID. */
    TWILIO_FROM: optionalText,
    TWILIO_MESSAGING_SERVICE_SID: optionalText,
    /** Only for the local stand-in and tests; production uses api.twilio.com. */
    TWILIO_BASE_URL: optionalUrl,
    /** The API's public /webhooks/twilio URL, for delivery reports; unset sends none. */
    TWILIO_STATUS_CALLBACK_URL: optionalUrl,
  })
  .superRefine((env, ctx) => {
    if (env.SMS_PROVIDERS) {
      for (const name of env.SMS_PROVIDERS) requireChainMember(env, ctx, "SMS_PROVIDERS", SMS_NEEDS[name]);
    } else {
      const key = env.SMS_PROVIDER === "twilio" ? "TWILIO_AUTH_TOKEN" : "MSG91_AUTH_KEY";
      requireKeyInProduction(env, ctx, { key, choice: "SMS_PROVIDER" });
      if (env.SMS_PROVIDER === "twilio") requireChainMember(env, ctx, "SMS_PROVIDER", SMS_NEEDS.twilio);
    }
    if (env.MSG91_API === "flow" && usesMsg91(env)) {
      const issue = flowTemplatesIssue(env.MSG91_FLOW_TEMPLATES);
      if (issue) ctx.addIssue({ code: "custom", path: ["MSG91_FLOW_TEMPLATES"], message: issue });
    }
  });

/** The variables each provider cannot run without (any of one inner list is enough). */
const EMAIL_NEEDS: Record<EmailProviderName, string[][]> = {
  sendgrid: [["SENDGRID_API_KEY"]],
  resend: [["RESEND_API_KEY"]],
  ses: [["SES_REGION"]],
  smtp: [["SMTP_URL"]],
  console: [],
};
const SMS_NEEDS: Record<SmsProviderName, string[][]> = {
  msg91: [["MSG91_AUTH_KEY"]],
  twilio: [["TWILIO_ACCOUNT_SID"], ["TWILIO_AUTH_TOKEN"], ["TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"]],
  console: [],
};

function requireChainMember(env: Record<string, unknown>, ctx: z.RefinementCtx, chain: string, needs: string[][]) {
  for (const anyOf of needs) {
    if (anyOf.some((name) => env[name])) continue;
    ctx.addIssue({
      code: "custom",
      path: [anyOf.join(" or ")],
      message: `is required when ${chain}=${Array.isArray(env[chain]) ? (env[chain] as string[]).join(",") : env[chain]}`,
    });
  }
}

function usesMsg91(env: { SMS_PROVIDERS?: string[]; SMS_PROVIDER?: string; MSG91_AUTH_KEY?: string }): boolean {
  if (env.SMS_PROVIDERS) return env.SMS_PROVIDERS.includes("msg91");
  return env.SMS_PROVIDER ? env.SMS_PROVIDER === "msg91" : Boolean(env.MSG91_AUTH_KEY);
}

const flowTemplatesSchema = z.record(
  z.string().min(1).max(64),
  z.object({ flowId: z.string().trim().min(1).max(64), dltTemplateId: z.string().trim().max(64).optional() }),
);
export type Msg91FlowTemplates = z.infer<typeof flowTemplatesSchema>;

/** MSG91_FLOW_TEMPLATES, parsed (empty when unset). Call after the settings were loaded. */
export function flowTemplatesOf(raw: string | undefined): Msg91FlowTemplates {
  return raw ? flowTemplatesSchema.parse(JSON.parse(raw)) : {};
}

function flowTemplatesIssue(raw: string | undefined): string | undefined {
  if (!raw) return 'is required when MSG91_API=flow (JSON: {"otp": {"flowId": "...", "dltTemplateId": "..."}})';
  try {
    const parsed = flowTemplatesSchema.safeParse(JSON.parse(raw));
    return parsed.success ? undefined : 'must map template names to {"flowId": "...", "dltTemplateId": "..."}';
  } catch {
    return "is not valid JSON";
  }
}

/**
 * In production a missing provider key must stop the process: falling back to the console
 * provider would print every message (codes included) and send nothing. The console provider
 * stays available there, but only when chosen by name.
 */
function requireKeyInProduction(
  env: Record<string, unknown>,
  ctx: z.RefinementCtx,
  names: { key: string; choice: string },
): void {
  if (env[names.key] || env[names.choice] === "console") return;
  // Naming the real provider without its key is a mistake anywhere, not only in production.
  if (env[names.choice] !== undefined)
    ctx.addIssue({
      code: "custom",
      path: [names.key],
      message: `is required when ${names.choice}=${env[names.choice]}`,
    });
  else if (env.NODE_ENV === "production")
    ctx.addIssue({
      code: "custom",
      path: [names.key],
      message: `is required when NODE_ENV=production (or set ${names.choice}=console to print messages instead)`,
    });
}

export type EmailSettings = z.infer<typeof emailSchema>;

/**
 * The email provider the settings choose: EMAIL_PROVIDER when set; otherwise SendGrid when its key
 * is set, Resend when only its key is set, and the console provider without either.
 */
export function emailProviderChoice(
  settings: Pick<EmailSettings, "EMAIL_PROVIDER" | "SENDGRID_API_KEY" | "RESEND_API_KEY">,
): EmailProviderName {
  if (settings.EMAIL_PROVIDER) return settings.EMAIL_PROVIDER;
  if (settings.SENDGRID_API_KEY) return "sendgrid";
  return settings.RESEND_API_KEY ? "resend" : "console";
}

/** The email failover chain: EMAIL_PROVIDERS, or the one provider the older variables choose. */
export function emailProviderChain(settings: EmailSettings): EmailProviderName[] {
  return settings.EMAIL_PROVIDERS ?? [emailProviderChoice(settings)];
}

/** The SMS failover chain: SMS_PROVIDERS, or SMS_PROVIDER, or MSG91 when its key is set. */
export function smsProviderChain(
  settings: Pick<SmsSettings, "SMS_PROVIDERS" | "SMS_PROVIDER" | "MSG91_AUTH_KEY">,
): SmsProviderName[] {
  if (settings.SMS_PROVIDERS) return settings.SMS_PROVIDERS;
  if (settings.SMS_PROVIDER) return [settings.SMS_PROVIDER];
  return [settings.MSG91_AUTH_KEY ? "msg91" : "console"];
}

export type SmsSettings = z.infer<typeof smsSchema>;

/** Parses `env` with `schema`, or throws a ConfigError naming the first bad variable. */
export function parseEnv<T>(schema: z.ZodType<T>, env: Env): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join(".") || "environment";
  const value = issue?.path.length ? env[String(issue.path[0])] : undefined;
  const problem =
    (value === undefined || value === "") && issue?.code === "invalid_type" ? "is required" : issue?.message;
  throw new ConfigError(`invalid configuration: ${name} ${problem ?? "is invalid"}`);
}

export const loadEmailSettings = (env: Env): EmailSettings => parseEnv(emailSchema, env);
export const loadSmsSettings = (env: Env): SmsSettings => parseEnv(smsSchema, env);
