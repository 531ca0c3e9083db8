// Bounds password guessing on the admin's login: attempts are counted per client and across all
// clients in fixed windows (one counter key each, expiring with its window), shared by every admin
// process through Redis. A client over its limit is refused without using up the global budget;
// a successful login clears that client's count.
import { type AdminKeys, adminKeys } from "./admin-keys.ts";
import type { RedisConnection } from "./connection.ts";

export interface LoginLimits {
  /** Attempts one client may make per window. */
  perClient: number;
  /** Attempts all clients together may make per window. */
  global: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perClient: 10, global: 100, windowMs: 15 * 60 * 1000 };

export type LoginDecision =
  | { allowed: true; attempts: number }
  | { allowed: false; scope: "client" | "global"; retryAfterMs: number; attempts: number };

export class LoginThrottle {
  private readonly keys: AdminKeys;

  constructor(
    private readonly redis: RedisConnection,
    options: { prefix?: string } = {},
  ) {
    this.keys = adminKeys(options.prefix);
  }

  /** Counts one attempt by `client` and says whether it may go ahead (before the password is checked). */
  async attempt(client: string, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): Promise<LoginDecision> {
    const mine = await this.count(this.keys.loginClient(client), limits.windowMs);
    if (mine.count > limits.perClient) {
      return { allowed: false, scope: "client", retryAfterMs: mine.ttlMs, attempts: mine.count };
    }
    const all = await this.count(this.keys.loginAll, limits.windowMs);
    if (all.count > limits.global) {
      return { allowed: false, scope: "global", retryAfterMs: all.ttlMs, attempts: mine.count };
    }
    return { allowed: true, attempts: mine.count };
  }

  /** After a correct password: that client starts afresh. */
  async succeeded(client: string): Promise<void> {
    await this.redis.del(this.keys.loginClient(client));
  }

  /** One fixed window per key: the first attempt creates it with its TTL, later ones only count. */
  private async count(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const replies = await this.redis.multi().set(key, "0", "PX", windowMs, "NX").incr(key).pttl(key).exec();
    const count = Number(replies?.[1]?.[1] ?? 0);
    let ttlMs = Number(replies?.[2]?.[1] ?? -1);
    if (ttlMs < 0) {
      // Only a key written by someone else lacks a TTL; give it one so it cannot block forever.
      await this.redis.pexpire(key, windowMs);
      ttlMs = windowMs;
    }
    return { count, ttlMs };
  }
}
