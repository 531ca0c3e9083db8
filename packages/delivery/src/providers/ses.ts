// Amazon SES v2 through the official client (@aws-sdk/client-sesv2). The SDK's own retries are
// off (maxAttempts 1): the queue owns retries, backoff and failover. The job id rides as an email
// tag, so SES event destinations lead back to the job. SES names its errors: throttling and
// service faults are retried, rejected messages are permanent, a refused signature or a paused
// account stops this provider (the failover chain moves on, or the queue pauses).
import { SESv2Client, SESv2ServiceException, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { HaltQueueError } from "@notify/queue";
import type { BatchEmailProvider } from "./batch-types.ts";
import { errorForStatus, networkError } from "./classify.ts";
import { createSesBulkSend, SES_MAX_BULK } from "./ses-bulk.ts";
import type { EmailMessage, SendResult } from "./types.ts";

export interface SesOptions {
  region: string;
  /** Only for the local stand-in and tests (or a VPC endpoint). */
  endpoint?: string;
  configurationSet?: string;
  timeoutMs: number;
  /** Defaults to the SDK's chain (environment, shared profile, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

// SES tag values: letters, digits, '_', '-', '.', '@' at most 256.
export const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.@-]/g, "_").slice(0, 256) || "_";

// Errors that mean this account cannot send at all right now, whatever the message.
const ACCOUNT_PROBLEMS = new Set([
  "AccountSuspendedException",
  "SendingPausedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "AccessDeniedException",
  "MailFromDomainNotVerifiedException",
]);

export function createSesProvider(options: SesOptions): BatchEmailProvider {
  const client = new SESv2Client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
  });

  return {
    name: "ses",
    async send(message: EmailMessage): Promise<SendResult> {
      const tags = [
        { Name: "job_id", Value: tagValue(message.jobId) },
        { Name: "category", Value: tagValue(message.category) },
        ...(message.batchId ? [{ Name: "batch_id", Value: tagValue(message.batchId) }] : []),
      ];
      try {
        const reply = await client.send(
          new SendEmailCommand({
            FromEmailAddress: message.from,
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: "UTF-8" },
                Body: {
                  Html: { Data: message.html, Charset: "UTF-8" },
                  Text: { Data: message.text, Charset: "UTF-8" },
                },
              },
            },
            EmailTags: tags,
            ConfigurationSetName: options.configurationSet,
          }),
          { abortSignal: AbortSignal.timeout(options.timeoutMs) },
        );
        return { providerId: reply.MessageId };
      } catch (error) {
        throw sesError(error);
      }
    },
    maxBatch: SES_MAX_BULK,
    sendBatch: createSesBulkSend(client, options.configurationSet),
  };
}

/** What a failed SES call means for the queue (one message or a whole bulk request). */
export function sesError(error: unknown): Error {
  if (error instanceof SESv2ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 500;
    const text = `${error.name}: ${error.message}`;
    if (ACCOUNT_PROBLEMS.has(error.name))
      return new HaltQueueError(`ses rejected the credentials or account (${status}): ${text}`.slice(0, 1000));
    if (error.name === "TooManyRequestsException" || error.name === "LimitExceededException")
      return errorForStatus({ provider: "ses", status: 429, message: text });
    return errorForStatus({ provider: "ses", status, message: text });
  }
  return networkError("ses", error);
}
