import { z } from "zod";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

export const metricsRouter = router({
  /** Processed and failed per minute. */
  series: adminProcedure
    .input(z.object({ queue: queueNameSchema, minutes: z.number().int().min(1).max(1440).default(60) }))
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).metrics({ minutes: input.minutes });
    }),

  /** Processed and failed per day, up to 90 days. */
  history: adminProcedure
    .input(z.object({ queue: queueNameSchema, days: z.number().int().min(1).max(90).default(30) }))
    .query(async ({ ctx, input }) => {
      return (await ctx.queue(input.queue, { mustExist: true })).history({ days: input.days });
    }),
});
