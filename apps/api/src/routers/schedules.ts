import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { checkJobForQueue, cronProblem, jobTemplateSchema } from "../lib/job-schemas.ts";
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
    const problem = cronProblem(input.cron, input.tz);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["cron"] });
    checkJobForQueue(input.queue, input.job, ctx, ["job"]);
  });

/** Recurring jobs: the engine promotes them when due, from any live worker, exactly once. */
export const schedulesRouter = router({
  list: adminProcedure.input(z.object({ queue: queueNameSchema })).query(async ({ ctx, input }) => {
    return (await ctx.queue(input.queue, { mustExist: true })).schedules.list();
  }),

  create: adminProcedure.input(createInput).mutation(async ({ ctx, input }) => {
    const queue = await ctx.queue(input.queue);
    return queue.schedules.upsert({
      name: input.name,
      cron: input.cron,
      ...(input.tz ? { tz: input.tz } : {}),
      job: input.job,
    });
  }),

  delete: adminProcedure
    .input(z.object({ queue: queueNameSchema, name: scheduleName }))
    .mutation(async ({ ctx, input }) => {
      const removed = await (await ctx.queue(input.queue, { mustExist: true })).schedules.remove(input.name);
      if (!removed) throw new TRPCError({ code: "NOT_FOUND", message: `no schedule ${input.name} in ${input.queue}` });
      return { deleted: true };
    }),
});
