import { redisInfo } from "@notify/queue";
import { adminProcedure, router } from "../trpc.ts";

export const redisRouter = router({
  info: adminProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    return redisInfo(ctx.deps.redis);
  }),
});
