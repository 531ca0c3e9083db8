// Public entry of @notify/workers: what another process (the API) needs to render previews and to
// run worker.drain with the same handlers, providers and templates as the worker processes.
import type { Handler, RedisConnection } from "@notify/queue";
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
import { emailProviderFor, emailRendererFor, smsProviderFor } from "./wiring.ts";

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

/** Handlers for worker.drain, by queue name, built exactly as the worker entry points build theirs. */
export async function createDrainHandlers(options: DrainHandlerOptions): Promise<Record<string, Handler>> {
  const { redis, env } = options;
  const email = loadEmailConfig(env);
  const sms = loadSmsConfig(env);
  const events = loadEventsConfig(env);
  const logger = (component: string, config: { LOG_LEVEL: string; DEBUG: string }) =>
    createLogger({ level: config.LOG_LEVEL, debug: config.DEBUG, component });
  return {
    [EMAIL_QUEUE]: createEmailHandler({
      redis,
      renderer: await emailRendererFor(email),
      provider: emailProviderFor(email),
      from: email.EMAIL_FROM,
      logger: logger("email", email),
    }),
    [SMS_QUEUE]: createSmsHandler({ provider: smsProviderFor(sms), appName: sms.APP_NAME, logger: logger("sms", sms) }),
    [EMAIL_EVENTS_QUEUE]: createEventsHandler({ redis, logger: logger("events", events) }),
  };
}
