// Work a response does not wait for (tracking events), kept track of so shutdown can finish it.
export class Background {
  private readonly running = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    this.running.add(work);
    work.finally(() => this.running.delete(work)).catch(() => {});
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once everything tracked so far has settled. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
