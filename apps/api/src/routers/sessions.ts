// The admin dashboard's login sessions and login throttle, kept in Redis by the engine so every
// admin process shares them and the admin itself never talks to Redis. Admin token only.
import { AdminSessions, isAdminSessionId, LoginThrottle, MAX_ADMIN_SESSION_MS } from "@notify/queue";
import { z } from "zod";
import { operatorProcedure, router } from "../trpc.ts";

const sessionId = z.string().refine(isAdminSessionId, "not a session id");
/** The client's address as the admin saw it (or "unknown"); hashed by the engine before use. */
const client = z.string().min(1).max(200);
const limits = z.object({
  perClient: z.number().int().min(1).max(100_000),
  global: z.number().int().min(1).max(1_000_000),
  windowSeconds: z.number().int().min(1).max(86_400),
});

export const sessionsRouter = router({
  create: operatorProcedure
    .input(
      z.object({
        role: z.enum(["admin", "viewer"]).default("admin"),
        ttlSeconds: z
          .number()
          .int()
          .min(1)
          .max(MAX_ADMIN_SESSION_MS / 1000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      return new AdminSessions(ctx.deps.redis).create(input.ttlSeconds * 1000, { role: input.role });
    }),

  /** The live session with this id, or null (unknown, expired, revoked). */
  get: operatorProcedure.input(z.object({ id: sessionId })).query(async ({ ctx, input }) => {
    await ctx.ready();
    return new AdminSessions(ctx.deps.redis).get(input.id);
  }),

  revoke: operatorProcedure.input(z.object({ id: sessionId })).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    return { revoked: await new AdminSessions(ctx.deps.redis).revoke(input.id) };
  }),

  /** Log out everywhere: every session made before now stops working. */
  revokeAll: operatorProcedure.mutation(async ({ ctx }) => {
    await ctx.ready();
    await new AdminSessions(ctx.deps.redis).revokeAll();
    return { revoked: true };
  }),

  /** Counts one login attempt before the password is checked; refused ones say when to retry. */
  loginAttempt: operatorProcedure.input(z.object({ client, limits })).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    const { windowSeconds, ...rest } = input.limits;
    return new LoginThrottle(ctx.deps.redis).attempt(input.client, { ...rest, windowMs: windowSeconds * 1000 });
  }),

  loginSucceeded: operatorProcedure.input(z.object({ client })).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    await new LoginThrottle(ctx.deps.redis).succeeded(input.client);
    return { cleared: true };
  }),
});
