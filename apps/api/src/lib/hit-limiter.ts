// Per-client limits for the unauthenticated tracking routes, in bounded memory: a token bucket per
// client IP, at most MAX_CLIENTS of them (the least recently seen is forgotten first), so neither
// many requests nor many addresses can grow this process or Redis.
const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class HitLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `perMinute` hits per client, with bursts of as many; 0 turns the limit off. */
  constructor(private readonly perMinute: number) {}

  /** False when the limit is off: callers then need not work out who the client is. */
  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** 0 when the hit may go ahead, else the seconds until it would. */
  take(client: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    const rate = this.perMinute / 60_000;
    const found = this.buckets.get(client);
    const bucket = found ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    // Re-inserted so the Map's order is least recently seen first.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (!found && this.buckets.size > MAX_CLIENTS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** A bounded set of recently seen strings (least recently added forgotten first). */
export class RecentSet {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(value: string): boolean {
    return this.seen.has(value);
  }

  add(value: string): void {
    this.seen.add(value);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
