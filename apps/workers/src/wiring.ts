// Provider and renderer construction from configuration, shared by the worker entry points and the
// public entry (index.ts), so a drain inside the API sends exactly the way a worker process does.
import type { RateLimit } from "@notify/queue";
import type { EmailConfig, SmsConfig } from "./config.ts";
import { createConsoleEmailProvider, createConsoleSmsProvider } from "./providers/console.ts";
import { createMsg91Provider } from "./providers/msg91.ts";
import { createSendGridProvider } from "./providers/sendgrid.ts";
import type { EmailProvider, SmsProvider } from "./providers/types.ts";
import { EmailRenderer } from "./templates/email-renderer.ts";

/** SendGrid when a key is set, otherwise the console provider (development). */
export function emailProviderFor(config: EmailConfig): EmailProvider {
  return config.SENDGRID_API_KEY
    ? createSendGridProvider({
        apiKey: config.SENDGRID_API_KEY,
        baseUrl: config.SENDGRID_BASE_URL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
      })
    : createConsoleEmailProvider({ outboxDir: config.OUTBOX_DIR });
}

/** MSG91 when a key is set, otherwise the console provider (development). */
export function smsProviderFor(config: SmsConfig): SmsProvider {
  return config.MSG91_AUTH_KEY
    ? createMsg91Provider({
        authKey: config.MSG91_AUTH_KEY,
        senderId: config.MSG91_SENDER_ID,
        route: config.MSG91_ROUTE,
        baseUrl: config.MSG91_BASE_URL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
      })
    : createConsoleSmsProvider({ outboxDir: config.OUTBOX_DIR });
}

export function trackingFor(config: EmailConfig): { baseUrl: string; secret: string } | undefined {
  return config.TRACKING_BASE_URL && config.TRACKING_SECRET
    ? { baseUrl: config.TRACKING_BASE_URL, secret: config.TRACKING_SECRET }
    : undefined;
}

export function emailRendererFor(config: EmailConfig): Promise<EmailRenderer> {
  return EmailRenderer.create({ appName: config.APP_NAME, appUrl: config.APP_URL, tracking: trackingFor(config) });
}

/**
 * The provider account's rate limit for one channel, shared through Redis by every process that
 * sends through it (worker processes and drains alike); undefined when the limit is 0 (off).
 * Named by provider and channel: the console providers of email and SMS are not one account.
 */
export function providerRateLimit(
  channel: "email" | "sms",
  provider: { name: string },
  max: number,
  durationMs: number,
): RateLimit | undefined {
  return max > 0 ? { name: `${provider.name}-${channel}`, max, durationMs } : undefined;
}
