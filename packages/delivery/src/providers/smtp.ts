// SMTP through nodemailer: any mail server or relay (Postfix, Mailgun/Postmark/SES SMTP). The job
// id rides in an X-Notify-Job-Id header. SMTP says what a failure means by its reply code: 4xx
// is "try again later" (retried, and the server did not take the message), 5xx is final for this
// message (permanent), and a refused login (535, EAUTH) stops this provider like a 401 would.
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";
import { createTransport } from "nodemailer";
import { NotSentError, networkError } from "./classify.ts";
import type { EmailMessage, EmailProvider, SendResult } from "./types.ts";

export interface SmtpOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 */
  url: string;
  timeoutMs: number;
  /** Connections kept open and reused; SMTP servers limit them per client. */
  maxConnections?: number;
  /** Tests against a self-signed loopback server turn certificate checks off. */
  rejectUnauthorized?: boolean;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

// Codes nodemailer gives when no connection was made, so the message certainly did not go out.
const NO_CONNECTION = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/;

export function createSmtpProvider(options: SmtpOptions): EmailProvider & { close(): void } {
  const transport = createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
  });

  return {
    name: "smtp",
    close: () => transport.close(),
    async send(message: EmailMessage): Promise<SendResult> {
      try {
        const info = await transport.sendMail({
          from: message.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: {
            "X-Notify-Job-Id": message.jobId,
            "X-Notify-Category": message.category,
            ...(message.batchId ? { "X-Notify-Batch-Id": message.batchId } : {}),
          },
        });
        return { providerId: info.messageId };
      } catch (error) {
        const failure = error as SmtpFailure;
        const text =
          `smtp ${failure.responseCode ?? failure.code ?? "error"}: ${failure.response ?? failure.message ?? String(error)}`.slice(
            0,
            1000,
          );
        if (failure.code === "EAUTH" || failure.responseCode === 535 || failure.responseCode === 530)
          throw new HaltQueueError(`smtp rejected the credentials: ${text}`);
        if (typeof failure.responseCode === "number") {
          if (failure.responseCode >= 400 && failure.responseCode < 500) throw new NotSentError(text);
          throw new PermanentError(text, { reason: "rejected" });
        }
        if (NO_CONNECTION.test(`${failure.code ?? ""} ${failure.message ?? ""}`))
          throw new NotSentError(text, { cause: error });
        if (failure.code === "EENVELOPE" || failure.code === "EMESSAGE")
          throw new PermanentError(text, { reason: "invalid" });
        if (failure.code) throw new RetryableError(text, { cause: error });
        throw networkError("smtp", error);
      }
    },
  };
}
