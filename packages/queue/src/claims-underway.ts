// Claims a busy worker sends before it needs their jobs. One claim at a time makes the worker and
// Redis take turns: Redis waits while the worker runs a batch, the worker waits while Redis claims
// the next. With a second claim already queued behind the first, Redis claims batch n+1 while the
// worker runs batch n. Each claim is still one atomic script; they only overlap in time. A claim
// is worth sending once a third of the read-ahead is free: one third running, one on its way back,
// one being claimed (in halves, a second claim seldom fit, and the two took turns again).
import type { Claimed, Held } from "./scripts.ts";

/** A claim is worthwhile once this fraction (1/n) of the read-ahead is free. */
export const CLAIM_WHEN_FREE = 3;

/** Claims that may be underway at once (the claim loop awaits a claim only when none is). */
export const MAX_CLAIMS_UNDERWAY = 2;

export class ClaimsUnderway {
  private readonly underway = new Set<Promise<void>>();
  /** Jobs the underway claims may bring: counted as held, so the read-ahead bound holds. */
  private requested = 0;
  /** A claim that came back full says the queue has more; an empty or short one stops sending ahead. */
  private queueHadMore = false;

  get jobsRequested(): number {
    return this.requested;
  }

  get count(): number {
    return this.underway.size;
  }

  /** Whether another claim may go out now without waiting for the ones underway. */
  canSendAhead(): boolean {
    return this.queueHadMore && this.underway.size < MAX_CLAIMS_UNDERWAY;
  }

  /** Records what an awaited claim said about the queue. */
  settled(claimed: Claimed | "failed", wanted: number): void {
    this.queueHadMore = typeof claimed !== "string" && claimed.length === wanted;
  }

  /** Sends a claim for up to `wanted` jobs; `accept` takes its jobs in when it answers. */
  send(
    wanted: number,
    claim: () => Promise<Claimed>,
    handlers: { accept(claimed: Held[]): void; failed(error: unknown): void; answered(): void },
  ): void {
    this.requested += wanted;
    const answer = claim()
      .then(
        (claimed) => {
          this.requested -= wanted;
          this.settled(claimed, wanted);
          if (typeof claimed !== "string") handlers.accept(claimed);
        },
        (error: unknown) => {
          this.requested -= wanted;
          this.settled("failed", wanted);
          handlers.failed(error);
        },
      )
      .finally(() => {
        this.underway.delete(answer);
        handlers.answered();
      });
    this.underway.add(answer);
  }

  /** Resolves once every claim sent has answered or failed (its jobs are then in the buffer). */
  async settle(): Promise<void> {
    while (this.underway.size > 0) await Promise.all([...this.underway]);
  }
}
