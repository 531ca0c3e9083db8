// A provider that refuses a whole request for one bad recipient without saying which (MSG91, a
// SendGrid 400 that names no personalization) would fail every recipient with it. Halving the
// refused part until each bad recipient stands alone lets it fail by itself while the others are
// sent: a few extra requests in the rare case, none in the common one.
import { PermanentError } from "@notify/queue";
import type { BatchReply } from "../providers/batch-types.ts";
import type { SendResult } from "../providers/types.ts";

export async function sendIsolatingRejections<R>(
  recipients: readonly R[],
  send: (part: readonly R[]) => Promise<BatchReply>,
): Promise<BatchReply> {
  try {
    return await send(recipients);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (recipients.length === 1) return { outcomes: [error] };
    const middle = Math.ceil(recipients.length / 2);
    const parts = [recipients.slice(0, middle), recipients.slice(middle)];
    const replies = await Promise.all(
      parts.map((part) =>
        // A part's later failure (the provider went away meanwhile) lands on that part's recipients
        // alone: the other part may have been sent already, so it must not be thrown for all.
        sendIsolatingRejections(part, send).catch(
          (failure: unknown): BatchReply => ({
            outcomes: part.map(() => (failure instanceof Error ? failure : new Error(String(failure)))),
          }),
        ),
      ),
    );
    const outcomes: (SendResult | Error)[] = replies.flatMap((reply) => reply.outcomes);
    const backOffs = replies.map((reply) => reply.backOffMs).filter((ms): ms is number => ms !== undefined);
    return { outcomes, ...(backOffs.length > 0 ? { backOffMs: Math.max(...backOffs) } : {}) };
  }
}
