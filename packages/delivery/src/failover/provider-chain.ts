// An ordered chain of providers for one channel (EMAIL_PROVIDERS=sendgrid,ses,smtp), each behind
// its own circuit breaker. A message goes to the first provider whose breaker lets it through:
// - sent: done, and the result names the provider that took it;
// - a permanent error (a bad address, a rejected message): permanent, the next provider would
//   refuse it too;
// - the provider certainly did not take it (429, 5xx, refused connection): the next provider, at
//   once, with no backoff wait;
// - a timeout or reset (it may have gone out): a normal retry, so nothing is sent twice; the
//   breaker counts it, and once open the retry goes straight to the next provider;
// - rejected credentials (401/403): that provider's breaker opens and an alert goes out, and the
//   next provider sends. Only when every provider's credentials are rejected is the queue paused.
// A chain of one behaves exactly as its provider does (its own 429 Retry-After, its own halt).
import { HaltQueueError, RetryableError } from "@notify/queue";
import { NotSentError } from "../providers/classify.ts";
import type { SendResult } from "../providers/types.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";

export interface ChainLink<M> {
  provider: { readonly name: string; send(message: M): Promise<SendResult> };
  breaker: CircuitBreaker;
}

/** No provider of the chain could take the message now; retried when the first breaker probes. */
export class ProvidersUnavailableError extends RetryableError {}

export interface ChainOptions {
  /** Called when a provider rejects the credentials: the operator must act, the queue goes on. */
  onCredentialsRejected?: (provider: string, error: HaltQueueError) => void;
}

export function createProviderChain<M>(links: ChainLink<M>[], options: ChainOptions = {}) {
  if (links.length === 0) throw new TypeError("a provider chain needs at least one provider");
  const name = links.map((link) => link.provider.name).join(",");

  async function attempt(link: ChainLink<M>, message: M): Promise<SendResult | Error> {
    try {
      const result = await link.provider.send(message);
      link.breaker.succeeded();
      return { ...result, provider: link.provider.name };
    } catch (error) {
      if (error instanceof HaltQueueError) {
        link.breaker.credentialsRejected(error);
        options.onCredentialsRejected?.(link.provider.name, error);
        return error;
      }
      if (error instanceof RetryableError) {
        link.breaker.failed(error);
        if (error instanceof NotSentError) return error;
      } else {
        // A permanent refusal of this message means the provider itself is up.
        link.breaker.succeeded();
      }
      throw error;
    }
  }

  return {
    name,
    links,
    async send(message: M): Promise<SendResult> {
      const errors = new Map<ChainLink<M>, Error>();
      let last: Error | undefined;
      for (const link of links) {
        if (!link.breaker.tryAcquire()) continue;
        const outcome = await attempt(link, message);
        if (!(outcome instanceof Error)) return outcome;
        errors.set(link, outcome);
        last = outcome;
      }
      const credentialsOnly = links.every((link) => link.breaker.report().reason === "credentials");
      // Every provider refuses our credentials: probe them all anyway (an operator may just have
      // resumed the queue after fixing one), then pause the queue.
      if (credentialsOnly && errors.size === 0) {
        for (const link of links) {
          const outcome = await attempt(link, message);
          if (!(outcome instanceof Error)) return outcome;
          errors.set(link, outcome);
          last = outcome;
        }
      }
      if (links.length === 1 && last) throw last;
      if (credentialsOnly) {
        throw new HaltQueueError(`every provider (${name}) rejected the credentials; last: ${last?.message ?? "?"}`);
      }
      // Retry when the first provider may take it again: an open breaker's probe or a 429's Retry-After.
      const waits = links.map((link) => {
        const open = link.breaker.waitMs();
        if (open > 0) return open;
        const error = errors.get(link);
        return error instanceof RetryableError ? error.retryAfterMs : undefined;
      });
      const retryAfterMs = waits.every((wait) => wait !== undefined) ? Math.min(...(waits as number[])) : undefined;
      const summary = links.map((link) => `${link.provider.name} ${link.breaker.report().state}`).join(", ");
      throw new ProvidersUnavailableError(
        `no provider could take the message (${summary})${last ? `; last: ${last.message}` : ""}`.slice(0, 1000),
        { retryAfterMs },
      );
    },
  };
}
