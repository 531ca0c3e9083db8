// Puts one channel's failover chain together: a breaker per provider, every breaker change
// published through Redis (the API's /metrics and the admin read it) and logged, rejected
// credentials logged as errors so an alert can fire while the other providers keep sending.
import type { Logger, RedisConnection } from "@notify/queue";
import { type BreakerReport, type ProviderChannel, reportBreakerState } from "@notify/queue/notifications";
import type { SendResult } from "../providers/types.ts";
import { createBatchChain } from "./batch-chain.ts";
import { type BreakerSettings, CircuitBreaker } from "./circuit-breaker.ts";
import { createProviderChain } from "./provider-chain.ts";

export interface ChannelChainOptions {
  channel: ProviderChannel;
  breaker: BreakerSettings;
  /** Where breaker states are published; without it they are only logged. */
  redis?: RedisConnection;
  logger: Logger;
}

export function createChannelChain<M>(
  providers: { readonly name: string; send(message: M): Promise<SendResult> }[],
  options: ChannelChainOptions,
) {
  return chainOf(providers, options);
}

/** The same chain, also sending batches: `expand` makes one message per recipient for providers that cannot. */
export function createBatchChannelChain<M, R, B extends { recipients: R[] }>(
  providers: { readonly name: string; send(message: M): Promise<SendResult> }[],
  options: ChannelChainOptions & { expand: (batch: B) => M[] },
) {
  const chain = chainOf(providers, options);
  return { ...chain, ...createBatchChain<M, R, B>(chain.links, { ...chainAlerts(options), expand: options.expand }) };
}

const chainAlerts = ({ channel, logger }: ChannelChainOptions) => ({
  onCredentialsRejected: (provider: string, error: Error) =>
    logger.error({ channel, provider, err: error.message }, "provider rejected the credentials; failing over"),
});

function chainOf<M>(
  providers: { readonly name: string; send(message: M): Promise<SendResult> }[],
  options: ChannelChainOptions,
) {
  const { channel, redis, logger } = options;
  const publish = (report: BreakerReport) => {
    if (!redis) return;
    reportBreakerState(redis, report).catch((error: unknown) =>
      logger.warn({ provider: report.provider, err: String(error) }, "could not publish the breaker state"),
    );
  };
  const links = providers.map((provider) => {
    const breaker = new CircuitBreaker({
      ...options.breaker,
      channel,
      provider: provider.name,
      onChange: (report) => {
        publish(report);
        const fields = { channel, provider: report.provider, reason: report.reason, lastError: report.lastError };
        if (report.state === "open") logger.warn(fields, "provider circuit breaker opened");
        else logger.info(fields, `provider circuit breaker ${report.state}`);
      },
    });
    // Every provider of the chain shows up, closed, as soon as a worker starts.
    publish(breaker.report());
    return { provider, breaker };
  });
  return createProviderChain(links, chainAlerts(options));
}
