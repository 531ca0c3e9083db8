// SendGrid through its official client (@sendgrid/mail over @sendgrid/client). The job id rides
// in custom_args so webhook events and duplicates can be traced back to the job.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { PermanentError } from "@notify/queue";
import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { errorForStatus, networkError } from "./classify.ts";
import type { EmailMessage, EmailProvider, SendResult } from "./types.ts";

export interface SendGridOptions {
  apiKey: string;
  /** Defaults to SendGrid's API host; tests and the chaos run point it at the local stand-in. */
  baseUrl?: string;
  timeoutMs: number;
}

interface SendGridFailure {
  code?: unknown;
  isAxiosError?: boolean;
  response?: { headers?: Record<string, unknown>; body?: unknown };
}

function providerMessage(body: unknown): string {
  if (typeof body === "object" && body !== null && Array.isArray((body as { errors?: unknown }).errors)) {
    const errors = (body as { errors: { message?: unknown; field?: unknown }[] }).errors;
    return errors.map((e) => [e.field, e.message].filter((p) => typeof p === "string" && p).join(": ")).join("; ");
  }
  return typeof body === "string" ? body.slice(0, 500) : "no message";
}

export function createSendGridProvider(options: SendGridOptions): EmailProvider {
  const client = new Client();
  client.setApiKey(options.apiKey);
  // setApiKey resets the host, so the override comes after it.
  if (options.baseUrl) client.setDefaultRequest("baseUrl", options.baseUrl);
  client.setDefaultRequest({
    timeout: options.timeoutMs,
    // One pool of kept-alive sockets: a TLS handshake per email would dominate the send time.
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  } as never);
  const mail = new MailService();
  mail.setClient(client);

  return {
    name: "sendgrid",
    async send(message: EmailMessage): Promise<SendResult> {
      const customArgs: Record<string, string> = { job_id: message.jobId };
      if (message.batchId) customArgs.batch_id = message.batchId;
      try {
        const [response] = await mail.send({
          to: message.to,
          from: message.from,
          subject: message.subject,
          html: message.html,
          text: message.text,
          categories: [message.category],
          customArgs,
        });
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
        if (failure.isAxiosError) throw networkError("sendgrid", error);
        // The client library validates the message itself; what it refuses will not pass on a retry.
        throw new PermanentError(`sendgrid client refused the message: ${(error as Error).message}`, {
          reason: "invalid",
        });
      }
    },
  };
}
