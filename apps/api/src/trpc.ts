// tRPC init and the three procedure kinds: public, service (API key or admin token) and admin.
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { isConnectionError, withDeadline } from "./lib/redis-guard.ts";

export interface Meta {
  /** Overrides the Redis bound for procedures that legitimately run long (drain, big batches). */
  timeoutMs?: number;
}

/** Field-level issues in every BAD_REQUEST caused by input validation; capped so a 100k-row batch stays small. */
const MAX_ISSUES = 100;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
      return {
        ...shape,
        data: {
          ...shape.data,
          zodError: zodError ? z.flattenError(zodError) : null,
          issues: zodError
            ? zodError.issues.slice(0, MAX_ISSUES).map((issue) => ({
                path: issue.path.map(String).join("."),
                code: issue.code,
                message: issue.message,
              }))
            : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

type Required = "anyone" | "service" | "admin";

function allowed(caller: Context["caller"], required: Required): boolean {
  if (required === "anyone") return true;
  if (required === "admin") return caller === "admin";
  return caller !== "anonymous";
}

/**
 * Auth, then the Redis bound, in one middleware (each tRPC middleware costs an object spread per
 * call). A procedure that cannot reach Redis in time answers SERVICE_UNAVAILABLE instead of
 * hanging; nothing is reported as queued that was not. No I/O happens here, so auth and input
 * validation still answer while Redis is down.
 */
function guard(required: Required) {
  return t.middleware(async ({ ctx, meta, next }) => {
    if (!allowed(ctx.caller, required)) {
      const message = required === "admin" ? "admin token required" : "missing or invalid API key";
      throw new TRPCError({ code: "UNAUTHORIZED", message });
    }
    try {
      const result = await withDeadline(meta?.timeoutMs ?? ctx.deps.config.redisTimeoutMs, () => next());
      if (!result.ok && isConnectionError(result.error.cause)) throw unavailable(result.error.cause);
      return result;
    } catch (error) {
      if (error instanceof TRPCError) throw error;
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    }
  });
}

function unavailable(cause: unknown): TRPCError {
  const reason = cause instanceof Error ? cause.message : "redis unreachable";
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `queue storage unavailable: ${reason}`, cause });
}

export const publicProcedure = t.procedure.use(guard("anyone"));
export const serviceProcedure = t.procedure.use(guard("service"));
export const adminProcedure = t.procedure.use(guard("admin"));

/** Development-only procedures (seed 002's dev tools) do not exist in production. */
export const devProcedure = adminProcedure.use(({ ctx, next }) => {
  if (!ctx.deps.config.dev) {
    throw new TRPCError({ code: "NOT_FOUND", message: "development tools are off in production" });
  }
  return next();
});
