// The admin's audit log (issue 15): the dashboard records who paused, purged, retried or deleted
// what; the engine keeps it bounded in Redis. Only the full admin token writes; viewers read.
import { AdminAudit } from "@notify/queue";
import { z } from "zod";
import { adminProcedure, operatorProcedure, router } from "../trpc.ts";

const field = (max: number) => z.string().max(max);

export const auditRouter = router({
  record: operatorProcedure
    .input(
      z.object({
        actor: field(120).min(1),
        action: field(60).min(1),
        target: field(200),
        detail: field(500).optional(),
        ok: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      // Spread: plain object types, so the client's types need not name the engine's interface.
      return { ...(await new AdminAudit(ctx.deps.redis).record(input)) };
    }),

  list: adminProcedure
    .input(
      z.object({
        offset: z.number().int().min(0).max(1_000_000).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const page = await new AdminAudit(ctx.deps.redis).list(input);
      return { total: page.total, entries: page.entries.map((entry) => ({ ...entry })) };
    }),
});
