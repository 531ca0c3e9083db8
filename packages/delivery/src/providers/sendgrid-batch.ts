// SendGrid batches: one v3 mail/send request with one personalization per recipient (up to
// 1,000), so recipients never see each other; the content is shared and each personalization
// carries its own subject, substitutions, headers (List-Unsubscribe) and job id in custom_args.
// SendGrid validates the whole request: a bad address is a 400 naming
// `personalizations.N...`; those recipients fail alone and the others go in the next request.
// A success whose X-RateLimit-Remaining is 0 asks the worker to hold the shared bucket until
// X-RateLimit-Reset, before SendGrid has to answer 429.
import { PermanentError } from "@notify/queue";
import { classes } from "@sendgrid/helpers";
import type { MailDataRequired, MailService } from "@sendgrid/mail";
import { sendIsolatingRejections } from "../batching/bisect.ts";
import type { BatchEmailRecipient, BatchReply, EmailBatch } from "./batch-types.ts";
import { errorForStatus, networkError, retryAfterMs } from "./classify.ts";
import { SendGridNetworkError, SendGridResponseError } from "./sendgrid-fetch-client.ts";
import type { SendResult } from "./types.ts";

/** SendGrid's limit of personalizations per request. */
export const SENDGRID_MAX_BATCH = 1_000;

const PERSONALIZATION_FIELD = /^personalizations\.(\d+)\./;

function messageOf(body: unknown): string {
  const errors = (body as { errors?: { message?: unknown; field?: unknown }[] } | null)?.errors;
  if (!Array.isArray(errors)) return typeof body === "string" ? body.slice(0, 500) : "no message";
  return errors.map((e) => [e.field, e.message].filter((p) => typeof p === "string" && p).join(": ")).join("; ");
}

/** Which personalizations a 400 names, with SendGrid's reason for each. */
function rejectedPersonalizations(body: unknown): Map<number, string> {
  const rejected = new Map<number, string>();
  const errors = (body as { errors?: { message?: unknown; field?: unknown }[] } | null)?.errors ?? [];
  for (const error of Array.isArray(errors) ? errors : []) {
    const index = typeof error.field === "string" ? PERSONALIZATION_FIELD.exec(error.field)?.[1] : undefined;
    if (index !== undefined) rejected.set(Number(index), `${error.field}: ${String(error.message ?? "rejected")}`);
  }
  return rejected;
}

function mailOf(batch: EmailBatch, recipients: readonly BatchEmailRecipient[]): MailDataRequired {
  const mail = new classes.Mail();
  mail.setFrom(batch.from);
  // The tokens are the keys themselves: no {{ }} wrapping around them.
  mail.setSubstitutionWrappers(["", ""]);
  for (const recipient of recipients) {
    const personalization = new classes.Personalization();
    personalization.setTo(recipient.to);
    personalization.setSubject(recipient.subject);
    personalization.setSubstitutions(recipient.substitutions);
    personalization.setCustomArgs({ job_id: recipient.jobId });
    if (recipient.headers) personalization.setHeaders(recipient.headers);
    // addPersonalization takes instances as they are; its typings list only plain data.
    mail.addPersonalization(personalization as unknown as Parameters<typeof mail.addPersonalization>[0]);
  }
  // Mail-level subject is required by the library; each personalization's own subject wins.
  mail.setSubject(recipients[0]?.subject ?? batch.category);
  mail.addTextContent(batch.text);
  mail.addHtmlContent(batch.html);
  mail.setCategories([batch.category]);
  if (batch.batchId) mail.setCustomArgs({ batch_id: batch.batchId });
  return mail as unknown as MailDataRequired;
}

export function createSendGridBatchSend(mail: MailService): (batch: EmailBatch) => Promise<BatchReply> {
  async function request(batch: EmailBatch, recipients: readonly BatchEmailRecipient[]): Promise<BatchReply> {
    try {
      const [response] = await mail.send(mailOf(batch, recipients));
      const headers = response.headers as Record<string, unknown>;
      const id = headers["x-message-id"];
      const sent: SendResult = { providerId: typeof id === "string" ? id : undefined };
      const exhausted = String(headers["x-ratelimit-remaining"] ?? "") === "0";
      const backOffMs = exhausted ? retryAfterMs(headers) : undefined;
      return { outcomes: recipients.map(() => sent), ...(backOffMs ? { backOffMs } : {}) };
    } catch (error) {
      if (error instanceof SendGridResponseError) {
        const rejected = error.code === 400 ? rejectedPersonalizations(error.response.body) : new Map<number, string>();
        if (rejected.size > 0 && rejected.size < recipients.length) return resendWithout(batch, recipients, rejected);
        throw errorForStatus({
          provider: "sendgrid",
          status: error.code,
          message: messageOf(error.response.body),
          headers: error.response.headers,
        });
      }
      if (error instanceof SendGridNetworkError) throw networkError("sendgrid", error);
      throw new PermanentError(`sendgrid client refused the message: ${(error as Error).message}`, {
        reason: "invalid",
      });
    }
  }

  /** The named recipients fail alone; the rest go again in one request. */
  async function resendWithout(
    batch: EmailBatch,
    recipients: readonly BatchEmailRecipient[],
    rejected: Map<number, string>,
  ): Promise<BatchReply> {
    const rest = recipients.filter((_, index) => !rejected.has(index));
    const reply = await sendIsolatingRejections(rest, (part) => request(batch, part));
    const outcomes = reply.outcomes[Symbol.iterator]();
    return {
      ...reply,
      outcomes: recipients.map((_, index) => {
        const reason = rejected.get(index);
        if (reason !== undefined) return new PermanentError(`sendgrid 400: ${reason}`, { reason: "rejected" });
        return outcomes.next().value ?? new Error("sendgrid: no outcome for this recipient");
      }),
    };
  }

  return (batch) => sendIsolatingRejections(batch.recipients, (part) => request(batch, part));
}
