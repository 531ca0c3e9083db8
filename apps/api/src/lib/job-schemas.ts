// Validation of a job the admin builds by hand (a schedule's job), by the queue it is for: email
// and SMS jobs must fit their template; other queues take any envelope.

import { nextRun } from "@notify/queue";
import { reportIssues, templateJobIssues } from "@notify/queue/notifications";
import { z } from "zod";

export const jobTemplateSchema = z.object({
  type: z.string().min(1).max(100),
  to: z.string().max(320).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});

/** Adds the issues of a job that does not fit its queue to `ctx` under `path`. */
export function checkJobForQueue(queue: string, job: unknown, ctx: z.RefinementCtx, path: string[]): void {
  reportIssues(ctx, templateJobIssues(queue, job), path);
}

/** A time zone Intl knows (the engine's cron parser uses the same database). */
export function timezoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return null;
  } catch {
    return `unknown time zone "${tz}" (use an IANA name such as Europe/Berlin)`;
  }
}

/** Asks the engine's own parser, so what is accepted here is what will fire. */
export function cronProblem(expression: string, timezone?: string): string | null {
  try {
    return nextRun(expression, timezone, Date.now()) === null ? "cron expression never fires" : null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Runs looked at to find the shortest gap; enough to catch every-second and every-N-seconds. */
const RUNS_CHECKED = 12;

/**
 * The shortest gap between the next runs, in ms, when it is below `minimumMs`; null when the
 * expression fires no more often than that. Computed by the engine's parser (croner), not by
 * reading the expression, so seconds fields, steps and lists are all covered.
 */
export function tooFrequent(expression: string, timezone: string | undefined, minimumMs: number): number | null {
  let previous = nextRun(expression, timezone, Date.now());
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS_CHECKED && previous !== null; i++) {
    const next = nextRun(expression, timezone, previous);
    if (next === null) break;
    shortest = Math.min(shortest, next - previous);
    previous = next;
  }
  return shortest < minimumMs ? shortest : null;
}
