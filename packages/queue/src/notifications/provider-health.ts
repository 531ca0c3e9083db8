// What the delivery workers tell everyone else about their providers: each provider's circuit
// breaker state, so the API's /metrics and the admin can show it. (Which provider sent each
// message is in the message log.) Workers keep their breakers in memory (a Redis read per message would cost more than
// the breaker saves) and write every state change here; a process that dies leaves its last
// state, which `updatedAt` dates. Memory is bounded: one hash field per provider.
import type { RedisConnection } from "../connection.ts";
import { DEFAULT_PREFIX } from "../keys.ts";

export type BreakerState = "closed" | "open" | "half_open";
export type ProviderChannel = "email" | "sms";

export interface BreakerReport {
  channel: ProviderChannel;
  provider: string;
  state: BreakerState;
  /** Why it opened: "failures" (timeouts, 5xx, 429) or "credentials" (401/403). */
  reason?: "failures" | "credentials";
  /** Consecutive retryable failures counted so far. */
  failures: number;
  /** The last error's message, when it opened. */
  lastError?: string;
  /** When an open breaker lets a probe through (ms). */
  retryAt?: number;
  updatedAt: number;
}

const BREAKERS_TTL_SECONDS = 7 * 24 * 3600;
const MAX_TEXT = 500;

const breakersKey = (prefix = DEFAULT_PREFIX) => `${prefix}:providers:breakers`;

export async function reportBreakerState(redis: RedisConnection, report: BreakerReport): Promise<void> {
  const value = JSON.stringify({ ...report, lastError: report.lastError?.slice(0, MAX_TEXT) });
  const key = breakersKey();
  await redis
    .pipeline()
    .hset(key, `${report.channel}:${report.provider}`, value)
    .expire(key, BREAKERS_TTL_SECONDS)
    .exec();
}

/** Every provider's last reported breaker state, sorted by channel and provider. */
export async function breakerStates(redis: RedisConnection): Promise<BreakerReport[]> {
  const raw = await redis.hgetall(breakersKey());
  const reports: BreakerReport[] = [];
  for (const value of Object.values(raw)) {
    try {
      reports.push(JSON.parse(value) as BreakerReport);
    } catch {
      // A hand-edited field is skipped, not fatal to /metrics.
    }
  }
  return reports.sort((a, b) => `${a.channel}:${a.provider}`.localeCompare(`${b.channel}:${b.provider}`));
}
