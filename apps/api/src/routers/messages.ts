// The message log (#14): what happened to one email or SMS, and search over every logged message.
// A service key sees its own tenant's messages only (another's are answered as missing); the
// admin sees all. Idempotency keys are tenant-scoped in storage, so a service caller searches and
// reads them as it gave them.
import { getMessage, type MessageSummary, searchMessages } from "@notify/queue/notifications";
import { z } from "zod";
import type { Context } from "../context.ts";
import { jobIdSchema } from "../lib/schemas.ts";
import { mayRead, notFound, scopedIdempotencyKey } from "../lib/tenancy.ts";
import { router, serviceProcedure } from "../trpc.ts";

const text = z.string().trim().min(1).max(320).optional();

export const messageSearchInput = z.object({
  to: text,
  jobId: jobIdSchema.optional(),
  idempotencyKey: z.string().trim().min(1).max(200).optional(),
  providerMessageId: text,
  batchId: z.string().trim().min(1).max(200).optional(),
  template: z.string().trim().min(1).max(100).optional(),
  /** Enqueued at or after / at or before, ms since the epoch. */
  from: z.number().int().min(0).optional(),
  until: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).max(100_000).default(0),
  limit: z.number().int().min(1).max(200).default(50),
});

/** A service caller sees its idempotency keys as it gave them, without the tenant scope. */
function asSeenBy<T extends MessageSummary>(ctx: Pick<Context, "tenant">, message: T): T {
  const prefix = ctx.tenant === null ? null : `t/${ctx.tenant}/`;
  if (!prefix || !message.idempotencyKey?.startsWith(prefix)) return message;
  return { ...message, idempotencyKey: message.idempotencyKey.slice(prefix.length) };
}

export const messagesRouter = router({
  /** One message with its timeline (enqueued, each attempt, sent, provider events). */
  get: serviceProcedure.input(z.object({ id: jobIdSchema })).query(async ({ ctx, input }) => {
    await ctx.ready();
    const message = await getMessage(ctx.deps.redis, input.id);
    if (!message || !mayRead(ctx, message.tenant)) throw notFound(`no message ${input.id} in the log`);
    return asSeenBy(ctx, message);
  }),

  /** Newest first, paged, with the number that matched (`exact` false: at least that many). */
  search: serviceProcedure.input(messageSearchInput).query(async ({ ctx, input }) => {
    await ctx.ready();
    const { idempotencyKey, ...rest } = input;
    const scoped =
      idempotencyKey === undefined
        ? {}
        : {
            idempotencyKey: ctx.caller === "admin" ? idempotencyKey : scopedIdempotencyKey(ctx.tenant, idempotencyKey),
          };
    const page = await searchMessages(ctx.deps.redis, {
      ...rest,
      ...scoped,
      ...(ctx.caller === "admin" || ctx.tenant === null ? {} : { tenant: ctx.tenant }),
    });
    return { ...page, messages: page.messages.map((m) => asSeenBy(ctx, m)) };
  }),
});
