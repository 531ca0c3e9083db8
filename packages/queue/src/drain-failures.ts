// What a drain reports about the jobs that failed in it (seed 000's "failed events are logged"):
// each one's id, type, outcome and reason, taken from the worker's own events, at most
// MAX_DRAIN_FAILURES listed so a drain of a broken queue cannot build an unbounded answer.
import { PermanentError } from "./errors.ts";
import type { Job } from "./job.ts";
import type { WorkerEmitter } from "./worker-events.ts";

export interface DrainFailure {
  /** Null for a payload that never parsed. */
  id: string | null;
  type: string | null;
  /** dead: in the dead-letter list now; retrying: back in the queue after a backoff. */
  outcome: "dead" | "retrying";
  /** The dead letter's reason (invalid, exhausted, ...) or "retryable". */
  reason: string;
  error: string;
}

/** A drain lists at most this many failures; `failuresOmitted` counts the rest. */
export const MAX_DRAIN_FAILURES = 100;

/** Listens on `worker` until `stop()`; `stop()` returns what was heard. */
export function collectFailures(worker: WorkerEmitter): () => { failures: DrainFailure[]; failuresOmitted: number } {
  const failures: DrainFailure[] = [];
  let failuresOmitted = 0;
  const note = (failure: DrainFailure) => {
    if (failures.length < MAX_DRAIN_FAILURES) failures.push(failure);
    else failuresOmitted++;
  };
  const onDead = (job: Job | null, error: Error) =>
    note({
      id: job?.id ?? null,
      type: job?.type ?? null,
      outcome: "dead",
      // Anything else that ends a job here used its last attempt.
      reason: error instanceof PermanentError ? error.reason : "exhausted",
      error: error.message,
    });
  const onRetrying = (job: Job, error: Error) =>
    note({ id: job.id, type: job.type, outcome: "retrying", reason: "retryable", error: error.message });
  worker.on("dead", onDead);
  worker.on("retrying", onRetrying);
  return () => {
    worker.off("dead", onDead);
    worker.off("retrying", onRetrying);
    return { failures, failuresOmitted };
  };
}
