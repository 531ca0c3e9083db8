import { z } from "zod";
import { allQueueNames } from "../lib/queues.ts";
import { queueNameSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

export const workersRouter = router({
  /** Live workers with their current jobs, of one queue or of all. */
  list: adminProcedure
    .input(z.object({ queue: queueNameSchema.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const names = input.queue ? [input.queue] : await allQueueNames(ctx.deps.redis);
      const perQueue = await Promise.all(
        names.map(async (name) => {
          const workers = await (await ctx.queue(name, { mustExist: true })).workers();
          return workers.map((worker) => ({ queue: name, ...worker }));
        }),
      );
      return perQueue.flat();
    }),
});
