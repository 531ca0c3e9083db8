import { TRPCError } from "@trpc/server";
import { ZodRealError, z } from "zod";
import { assertJobBounds } from "../lib/input-bounds.ts";
import { checkJobForQueue, cronProblem, jobTemplateSchema, timezoneProblem, tooFrequent } from "../lib/job-schemas.ts";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

const scheduleName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "schedule names are 1-100 letters, digits, '_', '.', ':' or '-'");

const createInput = z
  .object({
    queue: queueNameSchema,
    name: scheduleName,
    cron: z.string().trim().min(1).max(200),
    tz: z.string().min(1).max(64).optional(),
    job: jobTemplateSchema,
  })
  .superRefine((input, ctx) => {
    const zoneProblem = input.tz ? timezoneProblem(input.tz) : null;
    // A bad zone is the zone's fault: report it there, and do not blame the cron field for it.
    if (zoneProblem) ctx.addIssue({ code: "custom", message: zoneProblem, path: ["tz"] });
    const problem = zoneProblem ? null : cronProblem(input.cron, input.tz);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["cron"] });
    checkJobForQueue(input.queue, input.job, ctx, ["job"]);
  });

/** The same shape as a schema issue, for checks that need the configuration (ZodRealError: an Error, as tRPC keeps only Error causes). */
function cronIssue(message: string): TRPCError {
  const cause = new ZodRealError([{ code: "custom", path: ["cron"], message, input: undefined }]);
  return new TRPCError({ code: "BAD_REQUEST", message, cause });
}

function missing(queue: string, name: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no schedule ${name} in ${queue}` });
}

/** Recurring jobs: the engine promotes them when due, from any live worker, exactly once. */
export const schedulesRouter = router({
  list: adminProcedure.input(z.object({ queue: queueNameSchema })).query(async ({ ctx, input }) => {
    return (await ctx.queue(input.queue, { mustExist: true })).schedules.list();
  }),

  create: adminProcedure.input(createInput).mutation(async ({ ctx, input }) => {
    assertJobBounds(input.job, ctx.deps.config.maxJobBytes, "job");
    const minimum = ctx.deps.config.scheduleMinIntervalMs;
    const gap = tooFrequent(input.cron, input.tz, minimum);
    if (gap !== null)
      throw cronIssue(
        `fires every ${gap / 1000} s; a schedule may fire at most once per ${minimum / 1000} s (SCHEDULE_MIN_INTERVAL_SECONDS)`,
      );
    const queue = await ctx.queue(input.queue);
    return queue.schedules.upsert({
      name: input.name,
      cron: input.cron,
      ...(input.tz ? { tz: input.tz } : {}),
      job: input.job,
    });
  }),

  /** Enqueues the schedule's job once now, disabled or not; its cron ticks carry on as before. */
  runNow: adminProcedure
    .input(z.object({ queue: queueNameSchema, name: scheduleName }))
    .mutation(async ({ ctx, input }) => {
      const ran = await (await ctx.queue(input.queue, { mustExist: true })).schedules.runNow(input.name);
      if (!ran) throw missing(input.queue, input.name);
      return ran;
    }),

  /** Disabled: no cron ticks, settings kept. Enabling counts the next tick from now (no catch-up). */
  setDisabled: adminProcedure
    .input(z.object({ queue: queueNameSchema, name: scheduleName, disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const updated = await queue.schedules.setDisabled(input.name, input.disabled);
      if (!updated) throw missing(input.queue, input.name);
      return updated;
    }),

  delete: adminProcedure
    .input(z.object({ queue: queueNameSchema, name: scheduleName }))
    .mutation(async ({ ctx, input }) => {
      const removed = await (await ctx.queue(input.queue, { mustExist: true })).schedules.remove(input.name);
      if (!removed) throw missing(input.queue, input.name);
      return { deleted: true };
    }),
});
