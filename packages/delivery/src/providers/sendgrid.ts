// SendGrid through its official client (@sendgrid/mail over @sendgrid/client, fetch transport). The job id rides
// in custom_args so webhook events and duplicates can be traced back to the job.
import { PermanentError } from "@notify/queue";
import { classes } from "@sendgrid/helpers";
import { type MailDataRequired, MailService } from "@sendgrid/mail";
import type { BatchEmailProvider } from "./batch-types.ts";
import { errorForStatus, networkError } from "./classify.ts";
import { createSendGridBatchSend, SENDGRID_MAX_BATCH } from "./sendgrid-batch.ts";
import { FetchTransportClient, SendGridNetworkError } from "./sendgrid-fetch-client.ts";
import type { EmailMessage, SendResult } from "./types.ts";

export interface SendGridOptions {
  apiKey: string;
  /** Defaults to SendGrid's API host; tests and the chaos run point it at the local stand-in. */
  baseUrl?: string;
  timeoutMs: number;
}

interface SendGridFailure {
  code?: unknown;
  response?: { headers?: Record<string, unknown>; body?: unknown };
}

function providerMessage(body: unknown): string {
  if (typeof body === "object" && body !== null && Array.isArray((body as { errors?: unknown }).errors)) {
    const errors = (body as { errors: { message?: unknown; field?: unknown }[] }).errors;
    return errors.map((e) => [e.field, e.message].filter((p) => typeof p === "string" && p).join(": ")).join("; ");
  }
  return typeof body === "string" ? body.slice(0, 500) : "no message";
}

/**
 * The library's own Mail class, filled through its setters: handing send() a plain object makes it
 * deep-copy the whole message (JSON round trip of the HTML) and rename every key, which was the
 * largest cost per email at 900 a second.
 */
function mailOf(message: EmailMessage, customArgs: Record<string, string>): MailDataRequired {
  const mail = new classes.Mail();
  mail.setFrom(message.from);
  mail.setSubject(message.subject);
  mail.addPersonalization({ to: message.to });
  // text/plain must come before text/html (SendGrid's rule).
  mail.addTextContent(message.text);
  mail.addHtmlContent(message.html);
  mail.setCategories([message.category]);
  mail.setCustomArgs(customArgs);
  if (message.headers) mail.setHeaders(message.headers);
  // send() takes a Mail as it is (Mail.create passes instances through); its typings list only plain data.
  return mail as unknown as MailDataRequired;
}

export function createSendGridProvider(options: SendGridOptions): BatchEmailProvider {
  const client = new FetchTransportClient(options.timeoutMs);
  client.setApiKey(options.apiKey);
  // setApiKey resets the host, so the override comes after it.
  if (options.baseUrl) client.setDefaultRequest("baseUrl", options.baseUrl);
  const mail = new MailService();
  mail.setClient(client);

  return {
    name: "sendgrid",
    maxBatch: SENDGRID_MAX_BATCH,
    sendBatch: createSendGridBatchSend(mail),
    async send(message: EmailMessage): Promise<SendResult> {
      const customArgs: Record<string, string> = { job_id: message.jobId };
      if (message.batchId) customArgs.batch_id = message.batchId;
      try {
        const [response] = await mail.send(mailOf(message, customArgs));
        const id = response.headers["x-message-id"];
        return { providerId: typeof id === "string" ? id : undefined };
      } catch (error) {
        const failure = error as SendGridFailure;
        if (typeof failure.code === "number" && failure.response) {
          throw errorForStatus({
            provider: "sendgrid",
            status: failure.code,
            message: providerMessage(failure.response.body),
            headers: failure.response.headers,
          });
        }
        if (error instanceof SendGridNetworkError) throw networkError("sendgrid", error);
        // The client library validates the message itself; what it refuses will not pass on a retry.
        throw new PermanentError(`sendgrid client refused the message: ${(error as Error).message}`, {
          reason: "invalid",
        });
      }
    },
  };
}
