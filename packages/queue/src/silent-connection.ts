// A connection that says "ready" but answers nothing: the peer vanished without a reset (a cut
// cable, a NAT or proxy that dropped the flow, a VM frozen elsewhere). ioredis then waits for TCP
// to give up, which takes many minutes, and every command queued behind the silence waits with it.
// The worker's heartbeats are the probe: when one has gone unanswered for the lease's length on a
// connection that still calls itself ready, the connection is dropped and opened again, and
// ioredis re-sends what was in flight (claims and acks are safe to run twice).
import type { RedisConnection } from "./connection.ts";

export class SilentConnectionWatch {
  /** When the first probe sent since the last answer went out; null once any probe answers. */
  private oldestUnanswered: number | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly silentMs: number,
    private readonly onSilent: (silentForMs: number) => void,
  ) {}

  /** Tracks a probe's reply; call check() on the probe's own schedule. */
  async probe<T>(reply: Promise<T>): Promise<T> {
    this.oldestUnanswered ??= Date.now();
    try {
      return await reply;
    } finally {
      // Any answer proves the connection alive, including for probes sent earlier.
      this.oldestUnanswered = null;
    }
  }

  /** Reconnects when a probe has waited too long on a connection that believes it is fine. */
  check(now = Date.now()): void {
    if (this.oldestUnanswered === null) return;
    const silentFor = now - this.oldestUnanswered;
    if (silentFor < this.silentMs || this.redis.status !== "ready") return;
    this.oldestUnanswered = now; // one reconnect per silence, not one per check
    this.onSilent(silentFor);
    this.redis.disconnect(true);
  }
}
