// Validation of a job the admin builds by hand (a schedule's job), by the queue it is for: email
// and SMS jobs must fit their template; other queues take any envelope.

import { nextRun } from "@notify/queue";
import { EMAIL_QUEUE, emailJobSchema, SMS_QUEUE, smsJobSchema } from "@notify/queue/notifications";
import { z } from "zod";

export const jobTemplateSchema = z.object({
  type: z.string().min(1).max(100),
  to: z.string().max(320).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});

/** Adds the issues of a job that does not fit its queue to `ctx` under `path`. */
export function checkJobForQueue(queue: string, job: unknown, ctx: z.RefinementCtx, path: string[]): void {
  const schema = queue === EMAIL_QUEUE ? emailJobSchema : queue === SMS_QUEUE ? smsJobSchema : null;
  if (!schema) return;
  const result = schema.safeParse(job);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: "custom", message: issue.message, path: [...path, ...issue.path.map(String)] });
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
