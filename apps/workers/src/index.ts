// Public entry of @notify/workers: what another process (the API) needs to render previews and to
// run worker.drain with the same handlers, providers and templates as the worker processes.
import { type Handler, type RateLimit, type RedisConnection, rateLimiterFor } from "@notify/queue";
import {
  EMAIL_EVENTS_QUEUE,
  EMAIL_QUEUE,
  type EmailTemplate,
  emailTemplateDataSchemas,
  SMS_QUEUE,
  type SmsTemplate,
  type SmsTemplateData,
  smsTemplateDataSchemas,
} from "@notify/queue/notifications";
import { ConfigError, loadEmailConfig, loadEventsConfig, loadSmsConfig } from "./config.ts";
import { createEmailHandler, describeIssues } from "./email-handler.ts";
import { createEventsHandler } from "./events-handler.ts";
import { createLogger } from "./logger.ts";
import { createSmsHandler } from "./sms-handler.ts";
import { EmailRenderer } from "./templates/email-renderer.ts";
import { renderSms } from "./templates/sms-templates.ts";
import { emailProviderFor, emailRendererFor, providerRateLimit, smsProviderFor } from "./wiring.ts";

export { ConfigError };

export interface TemplateRendererOptions {
  appName?: string;
  appUrl?: string;
}

export interface PreviewRenderer {
  renderEmail(
    template: string,
    data: Record<string, unknown>,
  ): Promise<{ subject: string; html: string; text: string }>;
  renderSms(template: string, data: Record<string, unknown>): Promise<{ text: string }>;
}

function isKey<T extends object>(record: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(record, key);
}

/**
 * Renders emails and SMS for previews, with the templates the workers send. Tracking is off: a
 * preview must not produce tokens that would count as real opens and clicks.
 */
export function createTemplateRenderer(options: TemplateRendererOptions = {}): PreviewRenderer {
  const appName = options.appName ?? "Notify";
  const appUrl = options.appUrl ?? "http://localhost:3000";
  // MJML compiles every template once (hundreds of ms), so only when the first preview asks.
  let renderer: Promise<EmailRenderer> | undefined;
  const emailRenderer = () => {
    renderer ??= EmailRenderer.create({ appName, appUrl }).catch((error: unknown) => {
      renderer = undefined;
      throw error;
    });
    return renderer;
  };
  return {
    async renderEmail(template, data) {
      if (!isKey(emailTemplateDataSchemas, template))
        throw new Error(`unknown email template ${JSON.stringify(template)}`);
      const parsed = emailTemplateDataSchemas[template].safeParse(data);
      if (!parsed.success)
        throw new Error(`invalid data for email template ${template}: ${describeIssues(parsed.error)}`);
      const type: EmailTemplate = template;
      return (await emailRenderer()).render({ type, data: parsed.data, jobId: "preview", to: "preview@example.com" });
    },
    async renderSms(template, data) {
      if (!isKey(smsTemplateDataSchemas, template)) throw new Error(`unknown sms template ${JSON.stringify(template)}`);
      const parsed = smsTemplateDataSchemas[template].safeParse(data);
      if (!parsed.success)
        throw new Error(`invalid data for sms template ${template}: ${describeIssues(parsed.error)}`);
      const type: SmsTemplate = template;
      return { text: renderSms(type, parsed.data as SmsTemplateData<typeof type>, appName) };
    },
  };
}

export interface DrainHandlerOptions {
  /** The caller's connection; handlers use it for suppressions and event counts. */
  redis: RedisConnection;
  /** The same variables the worker processes read (docs/workers.md); throws ConfigError on a bad one. */
  env: Record<string, string | undefined>;
}

/** What worker.drain runs for a queue: its handler, and the rate limit its worker processes share. */
export interface DrainTarget {
  handler: Handler;
  limiter?: RateLimit;
}

/**
 * Drain targets by queue name, built exactly as the worker entry points build theirs: same
 * providers, templates and rate limits, and a provider's Retry-After blocks the shared limit.
 */
export async function createDrainHandlers(options: DrainHandlerOptions): Promise<Record<string, DrainTarget>> {
  const { redis, env } = options;
  const email = loadEmailConfig(env);
  const sms = loadSmsConfig(env);
  const events = loadEventsConfig(env);
  const logger = (component: string, config: { LOG_LEVEL: string; DEBUG: string }) =>
    createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component });
  const blocker = (queue: string, limiter: RateLimit | undefined) => (ms: number) => {
    if (limiter)
      void rateLimiterFor(redis, queue, limiter)
        .block(ms)
        .catch(() => {});
  };
  const emailProvider = emailProviderFor(email);
  const smsProvider = smsProviderFor(sms);
  const emailLimit = providerRateLimit("email", emailProvider, email.EMAIL_RATE_LIMIT, email.EMAIL_RATE_WINDOW_MS);
  const smsLimit = providerRateLimit("sms", smsProvider, sms.SMS_RATE_LIMIT, sms.SMS_RATE_WINDOW_MS);
  return {
    [EMAIL_QUEUE]: {
      handler: createEmailHandler({
        redis,
        renderer: await emailRendererFor(email),
        provider: emailProvider,
        from: email.EMAIL_FROM,
        logger: logger("email", email),
        onRetryAfter: blocker(EMAIL_QUEUE, emailLimit),
      }),
      limiter: emailLimit,
    },
    [SMS_QUEUE]: {
      handler: createSmsHandler({
        provider: smsProvider,
        appName: sms.APP_NAME,
        logger: logger("sms", sms),
        onRetryAfter: blocker(SMS_QUEUE, smsLimit),
      }),
      limiter: smsLimit,
    },
    [EMAIL_EVENTS_QUEUE]: { handler: createEventsHandler({ redis, logger: logger("events", events) }) },
  };
}
