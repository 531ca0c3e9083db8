// Provider and renderer construction from configuration, shared by the worker processes and the
// API's drains (through targets.ts), so a drain sends exactly the way a worker process does.
// Loaded on demand: it pulls in MJML, Handlebars and the provider SDKs.
import type { Logger, RedisConnection } from "@notify/queue";
import { expandEmailBatch } from "./batching/campaign-batches.ts";
import { expandSmsBatch } from "./batching/sms-batches.ts";
import {
  type EmailProviderName,
  type EmailSettings,
  emailProviderChain,
  emailProviderChoice,
  flowTemplatesOf,
  type SmsProviderName,
  type SmsSettings,
  smsProviderChain,
} from "./config.ts";
import { createBatchChannelChain } from "./failover/channel-chain.ts";
import type { BatchEmailProvider, BatchSmsProvider } from "./providers/batch-types.ts";
import { createConsoleEmailProvider, createConsoleSmsProvider } from "./providers/console.ts";
import { createMsg91Provider } from "./providers/msg91.ts";
import { createMsg91FlowProvider } from "./providers/msg91-flow.ts";
import { createResendProvider } from "./providers/resend.ts";
import { createSendGridProvider } from "./providers/sendgrid.ts";
import { createSesProvider } from "./providers/ses.ts";
import { createSmtpProvider } from "./providers/smtp.ts";
import { createTwilioProvider } from "./providers/twilio.ts";
import type { EmailProvider, SmsProvider } from "./providers/types.ts";
import { EmailRenderer } from "./templates/email-renderer.ts";

/** One email provider by name. The schema has made sure the provider's variables are set. */
export function emailProviderNamed(name: EmailProviderName, config: EmailSettings): EmailProvider {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  switch (name) {
    case "sendgrid":
      return createSendGridProvider({
        apiKey: config.SENDGRID_API_KEY ?? "",
        baseUrl: config.SENDGRID_BASE_URL,
        timeoutMs,
      });
    case "resend":
      return createResendProvider({ apiKey: config.RESEND_API_KEY ?? "", baseUrl: config.RESEND_BASE_URL, timeoutMs });
    case "ses":
      return createSesProvider({
        region: config.SES_REGION ?? "us-east-1",
        endpoint: config.SES_ENDPOINT,
        configurationSet: config.SES_CONFIGURATION_SET,
        timeoutMs,
      });
    case "smtp":
      return createSmtpProvider({ url: config.SMTP_URL ?? "", timeoutMs });
    case "console":
      return createConsoleEmailProvider({ outboxDir: config.OUTBOX_DIR });
  }
}

/** The provider the single-provider variables choose (EMAIL_PROVIDER, or whichever key is set). */
export function emailProviderFor(config: EmailSettings): EmailProvider {
  return emailProviderNamed(emailProviderChoice(config), config);
}

export function smsProviderNamed(name: SmsProviderName, config: SmsSettings): SmsProvider {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  switch (name) {
    case "msg91":
      return config.MSG91_API === "flow"
        ? createMsg91FlowProvider({
            authKey: config.MSG91_AUTH_KEY ?? "",
            baseUrl: config.MSG91_FLOW_BASE_URL,
            templates: flowTemplatesOf(config.MSG91_FLOW_TEMPLATES),
            timeoutMs,
          })
        : createMsg91Provider({
            authKey: config.MSG91_AUTH_KEY ?? "",
            senderId: config.MSG91_SENDER_ID,
            route: config.MSG91_ROUTE,
            baseUrl: config.MSG91_BASE_URL,
            timeoutMs,
          });
    case "twilio":
      return createTwilioProvider({
        accountSid: config.TWILIO_ACCOUNT_SID ?? "",
        authToken: config.TWILIO_AUTH_TOKEN ?? "",
        from: config.TWILIO_FROM,
        messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
        baseUrl: config.TWILIO_BASE_URL,
        statusCallback: config.TWILIO_STATUS_CALLBACK_URL,
        timeoutMs,
      });
    case "console":
      return createConsoleSmsProvider({ outboxDir: config.OUTBOX_DIR });
  }
}

/** The provider the single-provider variables choose (SMS_PROVIDER, or MSG91 when its key is set). */
export function smsProviderFor(config: SmsSettings): SmsProvider {
  return smsProviderNamed(smsProviderChain({ ...config, SMS_PROVIDERS: undefined })[0] ?? "console", config);
}

export interface ChainWiring {
  /** Breaker states are published here for /metrics and the admin. */
  redis?: RedisConnection;
  logger: Logger;
}

const breakerOf = (config: EmailSettings | SmsSettings) => ({
  failureThreshold: config.BREAKER_FAILURES,
  openMs: config.BREAKER_OPEN_MS,
  credentialsOpenMs: config.BREAKER_CREDENTIALS_OPEN_MS,
});

/**
 * EMAIL_PROVIDERS (or the single provider) as a failover chain with a breaker per provider; it
 * sends campaign batches too (providers that cannot batch get one message per recipient).
 */
export function emailChainFor(config: EmailSettings, wiring: ChainWiring): BatchEmailProvider {
  const providers = emailProviderChain(config).map((name) => emailProviderNamed(name, config));
  return createBatchChannelChain(providers, {
    channel: "email",
    breaker: breakerOf(config),
    expand: expandEmailBatch,
    ...wiring,
  });
}

/** SMS_PROVIDERS as a failover chain; it sends bulk batches too (MSG91 Flow's recipients array). */
export function smsChainFor(config: SmsSettings, wiring: ChainWiring): BatchSmsProvider {
  const providers = smsProviderChain(config).map((name) => smsProviderNamed(name, config));
  return createBatchChannelChain(providers, {
    channel: "sms",
    breaker: breakerOf(config),
    expand: expandSmsBatch,
    ...wiring,
  });
}

export function trackingFor(config: EmailSettings): { baseUrl: string; secret: string } | undefined {
  return config.TRACKING_BASE_URL && config.TRACKING_SECRET
    ? { baseUrl: config.TRACKING_BASE_URL, secret: config.TRACKING_SECRET }
    : undefined;
}

export function emailRendererFor(config: EmailSettings): Promise<EmailRenderer> {
  return EmailRenderer.create({ appName: config.APP_NAME, appUrl: config.APP_URL, tracking: trackingFor(config) });
}
