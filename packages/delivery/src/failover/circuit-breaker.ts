// One provider's circuit breaker, in the worker's memory. Closed: every message may try the
// provider. After `failureThreshold` retryable failures in a row (timeouts, 5xx, 429) it opens for
// `openMs`, and messages go to the next provider at once instead of waiting out a backoff against
// one that is down. Then it is half-open: one probe at a time goes through; a success closes it, a
// failure opens it again. Rejected credentials (401/403) open it at once for `credentialsOpenMs`:
// a rotated key will not start working in a few seconds. Every change is handed to `onChange` so
// the worker can publish it (Redis, logs, metrics).
import type { BreakerReport, BreakerState } from "@notify/queue/notifications";

export interface BreakerSettings {
  failureThreshold: number;
  openMs: number;
  credentialsOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, openMs: 30_000, credentialsOpenMs: 300_000 };

export interface BreakerOptions extends BreakerSettings {
  channel: BreakerReport["channel"];
  provider: string;
  onChange?: (report: BreakerReport) => void;
  now?: () => number;
}

export class CircuitBreaker {
  private state: BreakerState = "closed";
  private failures = 0;
  private reason: BreakerReport["reason"];
  private lastError: string | undefined;
  private retryAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get provider(): string {
    return this.options.provider;
  }

  /** May a message try this provider now? A half-open breaker lets one probe through at a time. */
  tryAcquire(): boolean {
    if (this.state === "open") {
      if (this.now() < this.retryAt) return false;
      this.change("half_open");
    }
    if (this.state === "half_open") {
      if (this.probing) return false;
      this.probing = true;
    }
    return true;
  }

  /** Milliseconds until an open breaker lets a probe through; 0 when it would now. */
  waitMs(): number {
    return this.state === "open" ? Math.max(0, this.retryAt - this.now()) : 0;
  }

  /** The provider answered (sent, or refused this one message for its own reasons): it is up. */
  succeeded(): void {
    this.probing = false;
    this.failures = 0;
    if (this.state !== "closed") {
      this.reason = undefined;
      this.lastError = undefined;
      this.change("closed");
    }
  }

  failed(error: Error): void {
    this.probing = false;
    this.failures += 1;
    this.lastError = error.message;
    if (this.state === "half_open" || this.failures >= this.options.failureThreshold) this.open("failures");
  }

  credentialsRejected(error: Error): void {
    this.probing = false;
    this.lastError = error.message;
    this.open("credentials");
  }

  report(): BreakerReport {
    return {
      channel: this.options.channel,
      provider: this.options.provider,
      state: this.state,
      reason: this.reason,
      failures: this.failures,
      lastError: this.lastError,
      retryAt: this.state === "open" ? this.retryAt : undefined,
      updatedAt: this.now(),
    };
  }

  private open(reason: "failures" | "credentials"): void {
    this.reason = reason;
    this.retryAt = this.now() + (reason === "credentials" ? this.options.credentialsOpenMs : this.options.openMs);
    this.change("open", true);
  }

  private change(state: BreakerState, always = false): void {
    if (this.state === state && !always) return;
    this.state = state;
    this.options.onChange?.(this.report());
  }
}
