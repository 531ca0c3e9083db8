// Preferences (issue 14), for the admin: the suppression list (search, add, remove with a reason)
// and a recipient's unsubscribed categories. Recipients unsubscribe themselves through the signed
// page (http/unsubscribe.ts).
import {
  categorySchema,
  PreferenceLimitError,
  resubscribe,
  suppressions,
  unsubscribe,
  unsubscribedCategories,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { adminProcedure, router } from "../trpc.ts";

const recipientSchema = z.string().trim().min(3).max(320);

/** HSCAN MATCH treats * ? [ ] \ as glob syntax: a search for text must escape them. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);

export const preferencesRouter = router({
  suppressions: adminProcedure
    .input(
      z
        .object({
          search: z.string().trim().max(100).optional(),
          cursor: z
            .string()
            .regex(/^\d{1,20}$/)
            .default("0"),
          limit: z.number().int().min(1).max(500).default(50),
        })
        .default({ cursor: "0", limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const match = input.search ? `*${globEscape(input.search.toLowerCase())}*` : undefined;
      const [page, total] = await Promise.all([
        suppressions.list(ctx.deps.redis, { cursor: input.cursor, count: input.limit, ...(match ? { match } : {}) }),
        suppressions.count(ctx.deps.redis),
      ]);
      return { ...page, total };
    }),

  suppress: adminProcedure
    .input(z.object({ address: recipientSchema, detail: z.string().trim().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      const added = await suppressions.suppress(ctx.deps.redis, input.address, "manual", {
        ...(input.detail ? { detail: input.detail } : {}),
      });
      return { added };
    }),

  /** Removes a suppression; the reason is kept with the removal (`removals`). */
  unsuppress: adminProcedure
    .input(z.object({ address: recipientSchema, reason: z.string().trim().min(3).max(500) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      return { removed: await suppressions.remove(ctx.deps.redis, input.address, input.reason) };
    }),

  removals: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1_000).default(50) }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      return { entries: await suppressions.removals(ctx.deps.redis, input.limit) };
    }),

  recipient: adminProcedure.input(z.object({ recipient: recipientSchema })).query(async ({ ctx, input }) => {
    await ctx.ready();
    const [unsubscribed, suppressed] = await Promise.all([
      unsubscribedCategories(ctx.deps.redis, input.recipient),
      suppressions.isSuppressed(ctx.deps.redis, input.recipient),
    ]);
    return { recipient: input.recipient.toLowerCase(), unsubscribed, suppressed };
  }),

  unsubscribe: adminProcedure
    .input(z.object({ recipient: recipientSchema, category: categorySchema }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      try {
        return { changed: await unsubscribe(ctx.deps.redis, input.recipient, input.category) };
      } catch (error) {
        if (error instanceof PreferenceLimitError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
        throw error;
      }
    }),

  resubscribe: adminProcedure
    .input(z.object({ recipient: recipientSchema, category: categorySchema }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      return { changed: await resubscribe(ctx.deps.redis, input.recipient, input.category) };
    }),
});
