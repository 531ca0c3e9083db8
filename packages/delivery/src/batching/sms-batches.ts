// Bulk SMS (jobs of a batch) in provider batches: MSG91 Flow takes many recipients of one
// registered template in one request. As for campaign email, each recipient stays its own job and
// gets its own outcome; only jobs running at the same time with the same template are gathered.
// One-off messages (an OTP, no batch) are never held back.
import type { BatchCapable, SmsBatch } from "../providers/batch-types.ts";
import type { SendResult, SmsMessage } from "../providers/types.ts";
import { DEFAULT_BATCH_LINGER_MS } from "./campaign-batches.ts";
import { Coalescer } from "./coalescer.ts";

/** Sends one message as part of a batch; rejects with that recipient's own error. */
export function createSmsBatcher(
  provider: BatchCapable<SmsBatch>,
  lingerMs = DEFAULT_BATCH_LINGER_MS,
): (message: SmsMessage) => Promise<SendResult> {
  const coalescer = new Coalescer<SmsMessage, SendResult | Error>(
    async (category, messages) =>
      (
        await provider.sendBatch({
          category,
          recipients: messages.map(({ jobId, to, text, data }) => ({ jobId, to, text, ...(data ? { data } : {}) })),
        })
      ).outcomes,
    { maxSize: provider.maxBatch, lingerMs },
  );
  return async (message) => {
    const outcome = await coalescer.add(message.category, message);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
}

/** One message per recipient, for a provider of the chain that cannot batch. */
export function expandSmsBatch(batch: SmsBatch): SmsMessage[] {
  return batch.recipients.map(({ jobId, to, text, data }) => ({
    jobId,
    to,
    text,
    category: batch.category,
    ...(data ? { data } : {}),
  }));
}
