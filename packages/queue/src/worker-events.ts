// The worker's events, typed the way BullMQ's WorkerListener types its own: a listener for an
// event name that does not exist, or with the wrong arguments, is a compile error.
import { EventEmitter } from "node:events";
import { errorMessage } from "./errors.ts";
import type { Job } from "./job.ts";

export interface WorkerListener {
  /** A job's handler is about to run (once per attempt). */
  active: (job: Job) => void;
  /** The handler finished; the ack is written with the others of this tick. */
  completed: (job: Job) => void;
  /** The job will run again after `delayMs`. */
  retrying: (job: Job, error: Error, delayMs: number) => void;
  /** The job went to the dead-letter list; `job` is null when the payload never parsed. */
  dead: (job: Job | null, error: Error) => void;
  /** A handler asked to stop the queue (e.g. the provider rejects our credentials). */
  halted: (reason: string) => void;
  /** Acks arrived after the lease was lost: those jobs may have run twice. */
  lost: (count: number) => void;
  /** The lease was taken while this worker lived; it goes on under a new epoch. */
  leaseLost: (previousId: string) => void;
  /** A claim or maintenance error (logged too); the worker keeps going. */
  error: (error: Error) => void;
  /** drain(): the budget is spent or the queue is empty. */
  drained: () => void;
  closed: () => void;
}

export class WorkerEmitter extends EventEmitter {
  override on<E extends keyof WorkerListener>(event: E, listener: WorkerListener[E]): this {
    return super.on(event, listener);
  }

  override once<E extends keyof WorkerListener>(event: E, listener: WorkerListener[E]): this {
    return super.once(event, listener);
  }

  override off<E extends keyof WorkerListener>(event: E, listener: WorkerListener[E]): this {
    return super.off(event, listener);
  }

  override emit<E extends keyof WorkerListener>(event: E, ...args: Parameters<WorkerListener[E]>): boolean {
    return super.emit(event, ...args);
  }
}

/** What a handler threw, as an Error (a thrown string or object keeps its text). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(errorMessage(thrown));
}
