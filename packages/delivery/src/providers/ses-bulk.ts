// SES v2 bulk: SendBulkEmail with the campaign's content inline as the default template (SES
// substitutes {{{name}}} from each entry's template data) and up to 50 entries a request, one
// recipient each. SES answers per entry: SUCCESS with a message id, or a status that says what
// that recipient's failure means (throttling is retried, a paused account stops the provider, a
// rejected message fails that recipient alone).
import { type SESv2Client, SendBulkEmailCommand } from "@aws-sdk/client-sesv2";
import { HaltQueueError, PermanentError } from "@notify/queue";
import { sendIsolatingRejections } from "../batching/bisect.ts";
import type { BatchEmailRecipient, BatchReply, EmailBatch } from "./batch-types.ts";
import { NotSentError } from "./classify.ts";
import { sesError, tagValue } from "./ses.ts";
import type { SendResult } from "./types.ts";

/** SES's limit of entries per SendBulkEmail request. */
export const SES_MAX_BULK = 50;

const TOKEN = /\[%nq(\d+)%\]/g;
const SUBJECT_VARIABLE = "subject";
const variableOf = (token: string) => `v${token.replace(TOKEN, "$1")}`;

const NOT_SENT = new Set(["TRANSIENT_FAILURE", "ACCOUNT_THROTTLED", "ACCOUNT_DAILY_QUOTA_EXCEEDED"]);
const ACCOUNT = new Set([
  "ACCOUNT_SUSPENDED",
  "ACCOUNT_SENDING_PAUSED",
  "MAIL_FROM_DOMAIN_NOT_VERIFIED",
  "CONFIGURATION_SET_SENDING_PAUSED",
]);

function outcomeOf(status: string | undefined, messageId: string | undefined, error: string | undefined) {
  if (status === "SUCCESS") return { providerId: messageId } satisfies SendResult;
  const text = `ses bulk ${status ?? "no status"}: ${error ?? "no message"}`.slice(0, 1000);
  if (status && NOT_SENT.has(status)) return new NotSentError(text);
  if (status && ACCOUNT.has(status)) return new HaltQueueError(text);
  return new PermanentError(text, { reason: "rejected" });
}

function entryOf(recipient: BatchEmailRecipient) {
  const data: Record<string, string> = { [SUBJECT_VARIABLE]: recipient.subject };
  for (const [token, value] of Object.entries(recipient.substitutions)) data[variableOf(token)] = value;
  return {
    Destination: { ToAddresses: [recipient.to] },
    ReplacementTags: [{ Name: "job_id", Value: tagValue(recipient.jobId) }],
    ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(data) } },
    ...(recipient.headers
      ? { ReplacementHeaders: Object.entries(recipient.headers).map(([Name, Value]) => ({ Name, Value })) }
      : {}),
  };
}

export function createSesBulkSend(
  client: SESv2Client,
  configurationSet: string | undefined,
): (batch: EmailBatch) => Promise<BatchReply> {
  return async (batch) => {
    // Values arrive escaped as the campaign needs them: triple braces keep SES from escaping again.
    const inline = (text: string) => text.replace(TOKEN, (token) => `{{{${variableOf(token)}}}}`);
    const request = async (recipients: readonly BatchEmailRecipient[]): Promise<BatchReply> => {
      try {
        const reply = await client.send(
          new SendBulkEmailCommand({
            FromEmailAddress: batch.from,
            DefaultContent: {
              Template: {
                TemplateContent: {
                  Subject: `{{{${SUBJECT_VARIABLE}}}}`,
                  Html: inline(batch.html),
                  Text: inline(batch.text),
                },
                TemplateData: "{}",
              },
            },
            BulkEmailEntries: recipients.map(entryOf),
            DefaultEmailTags: [
              { Name: "category", Value: tagValue(batch.category) },
              ...(batch.batchId ? [{ Name: "batch_id", Value: tagValue(batch.batchId) }] : []),
            ],
            ConfigurationSetName: configurationSet,
          }),
        );
        const results = reply.BulkEmailEntryResults ?? [];
        return {
          outcomes: recipients.map((_, index) => {
            const result = results[index];
            return outcomeOf(result?.Status, result?.MessageId, result?.Error);
          }),
        };
      } catch (error) {
        throw sesError(error);
      }
    };
    return sendIsolatingRejections(batch.recipients, request);
  };
}
