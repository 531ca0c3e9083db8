// A job being run and the context its handler receives (JobContext): what the handler may know
// (its attempt, the worker) and the signal that tells it to stop (shutdown past the grace period,
// or a lost lease).
import type { Job } from "./job.ts";
import type { Held } from "./scripts.ts";

export interface JobContext {
  workerId: string;
  /** 1 for the first run, 2 for the first retry... */
  attempt: number;
  /** Aborted when the worker is shutting down past its grace period or lost its lease. */
  signal: AbortSignal;
}

/** What a handler resolves to is its caller's business (delivery reports the provider); the engine ignores it. */
export type Handler = (job: Job, ctx: JobContext) => Promise<unknown>;

/**
 * A job being run, and the context its handler receives: one object per job, because at tens of
 * thousands of jobs a second every allocation on this path shows.
 */
export class Flight implements JobContext {
  /** Made only when the handler asks for ctx.signal: most never do, and it is not free. */
  private controller: AbortController | null = null;
  private abortedWith: Error | null = null;
  done: Promise<void> = Promise.resolve();
  attempt = 1;

  constructor(readonly held: Held) {}

  get workerId(): string {
    return this.held.holder.id;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    this.abortedWith = reason;
    this.controller?.abort(reason);
  }
}
