// A batch through a failover chain. Each recipient's outcome is its own: recipients a provider
// certainly did not take (429, 5xx, refused connection, rejected credentials) go on to the next
// provider together, at once; recipients it took, refused for good, or may have taken (a timeout)
// stay with it, so nothing is sent twice. A provider that cannot batch gets the recipients one
// message each. Breakers count a batch request as one call, as they count a message.
import { HaltQueueError, RetryableError } from "@notify/queue";
import type { BatchCapable, BatchReply } from "../providers/batch-types.ts";
import { canBatch } from "../providers/batch-types.ts";
import { NotSentError } from "../providers/classify.ts";
import type { SendResult } from "../providers/types.ts";
import type { ChainLink, ChainOptions } from "./provider-chain.ts";
import { ProvidersUnavailableError } from "./provider-chain.ts";

export interface BatchShape<R> {
  recipients: R[];
}

export interface BatchChainOptions<M, B> extends ChainOptions {
  /** One message per recipient, for a provider that cannot batch. */
  expand: (batch: B) => M[];
}

type Outcome = SendResult | Error;

const passesOn = (outcome: Outcome) => outcome instanceof NotSentError || outcome instanceof HaltQueueError;

export function createBatchChain<M, R, B extends BatchShape<R>>(
  links: ChainLink<M>[],
  options: BatchChainOptions<M, B>,
) {
  const maxBatch = Math.max(...links.map((link) => (canBatch<object, B>(link.provider) ? link.provider.maxBatch : 1)));

  /** Whole-request failures become every recipient's outcome and feed the breaker. */
  function settle(link: ChainLink<M>, error: unknown, count: number): Outcome[] {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (failure instanceof HaltQueueError) {
      link.breaker.credentialsRejected(failure);
      options.onCredentialsRejected?.(link.provider.name, failure);
    } else if (failure instanceof RetryableError) link.breaker.failed(failure);
    else link.breaker.succeeded();
    return Array.from({ length: count }, () => failure);
  }

  async function throughLink(link: ChainLink<M>, batch: B): Promise<{ outcomes: Outcome[]; backOffMs?: number }> {
    const { provider } = link;
    const named = (result: SendResult): SendResult => ({ ...result, provider: provider.name });
    if (!canBatch<typeof provider, B>(provider)) {
      const outcomes = await Promise.all(
        options.expand(batch).map((message) =>
          provider.send(message).then(
            (result) => {
              link.breaker.succeeded();
              return named(result);
            },
            (error: unknown) => settle(link, error, 1)[0] as Error,
          ),
        ),
      );
      return { outcomes };
    }
    const capable = provider as typeof provider & BatchCapable<B>;
    const chunks: B[] = [];
    for (let start = 0; start < batch.recipients.length; start += capable.maxBatch)
      chunks.push({ ...batch, recipients: batch.recipients.slice(start, start + capable.maxBatch) });
    const replies = await Promise.all(
      chunks.map((chunk) =>
        capable.sendBatch(chunk).then(
          (reply: BatchReply) => {
            link.breaker.succeeded();
            return { ...reply, outcomes: reply.outcomes.map((o) => (o instanceof Error ? o : named(o))) };
          },
          (error: unknown) => ({ outcomes: settle(link, error, chunk.recipients.length) }) as BatchReply,
        ),
      ),
    );
    const backOffs = replies.flatMap((reply) => (reply.backOffMs === undefined ? [] : [reply.backOffMs]));
    return {
      outcomes: replies.flatMap((reply) => reply.outcomes),
      ...(backOffs.length > 0 ? { backOffMs: Math.max(...backOffs) } : {}),
    };
  }

  async function sendBatch(batch: B): Promise<BatchReply> {
    const outcomes: (Outcome | undefined)[] = batch.recipients.map(() => undefined);
    const last: Outcome[] = [];
    let pending = batch.recipients.map((_, index) => index);
    let backOffMs: number | undefined;
    const tried = new Set<ChainLink<M>>();
    const run = async (link: ChainLink<M>) => {
      tried.add(link);
      const part = { ...batch, recipients: pending.map((index) => batch.recipients[index] as R) };
      const reply = await throughLink(link, part);
      if (reply.backOffMs !== undefined) backOffMs = Math.max(backOffMs ?? 0, reply.backOffMs);
      const still: number[] = [];
      pending.forEach((index, at) => {
        const outcome = reply.outcomes[at] ?? new Error(`${link.provider.name}: no outcome for this recipient`);
        last[index] = outcome;
        if (passesOn(outcome)) still.push(index);
        else outcomes[index] = outcome;
      });
      pending = still;
    };
    for (const link of links) {
      if (pending.length === 0) break;
      if (link.breaker.tryAcquire()) await run(link);
    }
    const credentialsOnly = links.every((link) => link.breaker.report().reason === "credentials");
    // Every provider refuses our credentials: probe them all anyway, as a single message does.
    if (pending.length > 0 && credentialsOnly && tried.size === 0)
      for (const link of links) if (pending.length > 0) await run(link);
    if (pending.length > 0) {
      const failure = unavailable(credentialsOnly);
      for (const index of pending) outcomes[index] = links.length === 1 ? (last[index] ?? failure) : failure;
    }
    return {
      outcomes: outcomes.map((outcome) => outcome ?? new Error("no outcome")),
      ...(backOffMs !== undefined ? { backOffMs } : {}),
    };
  }

  function unavailable(credentialsOnly: boolean): Error {
    const name = links.map((link) => link.provider.name).join(",");
    if (credentialsOnly) return new HaltQueueError(`every provider (${name}) rejected the credentials`);
    const waits = links.map((link) => link.breaker.waitMs());
    const retryAfterMs = waits.every((wait) => wait > 0) ? Math.min(...waits) : undefined;
    const summary = links.map((link) => `${link.provider.name} ${link.breaker.report().state}`).join(", ");
    return new ProvidersUnavailableError(`no provider could take the message (${summary})`, { retryAfterMs });
  }

  return { maxBatch, sendBatch };
}
