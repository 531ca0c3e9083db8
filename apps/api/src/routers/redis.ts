import { checkContinuity, redisInfo } from "@notify/queue";
import { adminProcedure, router } from "../trpc.ts";

export const redisRouter = router({
  info: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    return redisInfo(ctx.deps.redis);
  }),

  /**
   * Whether Redis restarted, and kept its data, since the last look (packages/queue continuity.ts).
   * A query, though it rewrites the engine's marker on a new run: that write records a fact about
   * the server, changes no job, and the viewer's dashboard needs it too.
   */
  continuity: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    return { ...(await checkContinuity(ctx.deps.redis)) };
  }),
});
