// A token bucket in Redis shared by every worker using the same limiter, so N processes together
// stay under a provider's limit. A provider's 429 with Retry-After blocks the whole bucket.
import type { RedisConnection } from "./connection.ts";
import { queueKeys, sharedLimiterKey } from "./keys.ts";
import { acquireTokens } from "./scripts.ts";
import type { RateLimit } from "./worker-settings.ts";

export class RateLimiter {
  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    readonly max: number,
    readonly durationMs: number,
  ) {
    if (!(max > 0) || !(durationMs > 0)) throw new RangeError("rate limit needs max > 0 and durationMs > 0");
  }

  /** Takes up to `wanted` tokens; when none is free, says how long to wait. */
  acquire(wanted: number): Promise<{ granted: number; waitMs: number }> {
    return acquireTokens(this.redis, {
      limiter: this.key,
      now: Date.now(),
      max: this.max,
      durationMs: this.durationMs,
      wanted,
    });
  }

  /** Gives back tokens taken for jobs that were not there after all (the queue ran dry). */
  async refund(tokens: number): Promise<void> {
    if (tokens > 0) await this.redis.hincrbyfloat(this.key, "tokens", tokens);
  }

  /** Stops every worker of this limiter from starting jobs for `ms` (a provider said Retry-After). */
  async block(ms: number): Promise<void> {
    const until = Date.now() + Math.max(0, ms);
    await this.redis.hset(this.key, "blockedUntil", until);
    await this.redis.pexpire(this.key, Math.ceil(ms + this.durationMs * 2 + 1000));
  }
}

/**
 * The bucket that workers of `queue` with `limit` share: the named one (one provider account,
 * across queues) or the queue's own. Anything that must honour or block the same limit (a drain,
 * a provider's Retry-After) builds it here.
 */
export function rateLimiterFor(redis: RedisConnection, queue: string, limit: RateLimit, prefix?: string): RateLimiter {
  const key = limit.name ? sharedLimiterKey(limit.name, prefix) : queueKeys(queue, prefix).limiter;
  return new RateLimiter(redis, key, limit.max, limit.durationMs);
}
