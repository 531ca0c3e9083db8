// How many jobs a worker claims beyond what it runs. Read-ahead hides the claim round trip, and
// claiming in large batches is what makes fast jobs cheap for Redis; but every job read ahead
// counts an attempt if the worker dies, and is held away from other workers meanwhile. So it
// follows the worker's own pace: about READ_AHEAD_MS of work at the rate jobs finish, never less
// than the floor (twice the concurrency by default) and never more than MAX_READ_AHEAD.

export const MAX_READ_AHEAD = 1_000;
const READ_AHEAD_MS = 10;
/** The finish rate is sampled over windows of this length and smoothed. */
const SAMPLE_MS = 50;

export class ReadAhead {
  private finished = 0;
  private sampledFinished = 0;
  private sampledAt = Date.now();
  private perMs = 0;

  constructor(
    /** Fewest jobs to read ahead. */
    private readonly floor: number,
    /** A fixed read-ahead (the prefetch option, or 0 under a rate limit) never adapts. */
    private readonly fixed: boolean,
  ) {}

  jobFinished(): void {
    this.finished++;
  }

  /** Jobs to hold beyond the running ones now. */
  current(now = Date.now()): number {
    if (this.fixed) return this.floor;
    const elapsed = now - this.sampledAt;
    if (elapsed >= SAMPLE_MS) {
      const rate = (this.finished - this.sampledFinished) / elapsed;
      // A window with nothing finished (idle queue) resets the pace instead of dragging it down slowly.
      this.perMs = rate === 0 ? 0 : this.perMs === 0 ? rate : (this.perMs + rate) / 2;
      this.sampledFinished = this.finished;
      this.sampledAt = now;
    }
    return Math.min(MAX_READ_AHEAD, Math.max(this.floor, Math.ceil(this.perMs * READ_AHEAD_MS)));
  }
}
