// tRPC init and the three procedure kinds: public, service (API key or admin token) and admin.

import { isOutOfMemoryError, PartitionCountError } from "@notify/queue";
import { isTracing } from "@notify/telemetry";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { InputBoundError } from "./lib/input-bounds.ts";
import { isConnectionError, withDeadline } from "./lib/redis-guard.ts";
import { TemplateIssuesError } from "./lib/template-sends.ts";

/**
 * The REST face of a service procedure (http/openapi.ts): the part of trpc-to-openapi's
 * OpenApiMeta used here, spelled locally so the router's type (and with it the client's types)
 * needs no server package.
 */
interface OpenApiOperation {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: `/${string}`;
  summary?: string;
  description?: string;
  protect?: boolean;
  tags?: string[];
}

export type Meta = {
  /** Overrides the Redis bound for procedures that legitimately run long (drain, big batches). */
  timeoutMs?: number;
  openapi?: OpenApiOperation;
};

/** Field-level issues in every BAD_REQUEST caused by input validation; capped so a 100k-row batch stays small. */
const MAX_ISSUES = 100;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Never a stack trace in an answer: it names absolute paths and helps nobody but an attacker.
    isDev: false,
    errorFormatter({ shape, error }) {
      const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
      const { stack: _stack, ...data } = shape.data as typeof shape.data & { stack?: string };
      return {
        ...shape,
        data: {
          ...data,
          zodError: zodError
            ? z.flattenError(zodError)
            : error.cause instanceof TemplateIssuesError
              ? error.cause.flatten()
              : null,
          issues: zodError
            ? zodError.issues.slice(0, MAX_ISSUES).map((issue) => ({
                path: issue.path.map(String).join("."),
                code: issue.code,
                message: issue.message,
              }))
            : error.cause instanceof InputBoundError
              ? [error.cause.issue]
              : error.cause instanceof TemplateIssuesError
                ? error.cause.issues
                : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** "operator": the full admin token only, even for queries (sessions: the admin's own login store). */
type Required = "anyone" | "service" | "admin" | "operator";

function allowed(caller: Context["caller"], required: Required): boolean {
  switch (required) {
    case "anyone":
      return true;
    case "admin":
      return caller === "admin" || caller === "viewer";
    case "operator":
      return caller === "admin";
    case "service":
      // A viewer reads jobs and batches like the admin (the dashboard's job page); it enqueues nothing.
      return caller === "service" || caller === "admin" || caller === "viewer";
  }
}

/**
 * The viewer role is enforced here, once for every procedure: whatever a router adds later, a
 * mutation (anything that changes state) refuses the read-only token.
 */
function viewerRefused(caller: Context["caller"], type: string): boolean {
  return caller === "viewer" && type !== "query";
}

/** Why `caller` may not run a procedure of this kind, or null when it may. */
export function refusal(caller: Context["caller"], required: Required, type: string): TRPCError | null {
  if (!allowed(caller, required)) {
    if (caller === "viewer") return new TRPCError({ code: "FORBIDDEN", message: "the viewer token is read-only" });
    const message =
      required === "service" || required === "anyone" ? "missing or invalid API key" : "admin token required";
    return new TRPCError({ code: "UNAUTHORIZED", message });
  }
  if (viewerRefused(caller, type))
    return new TRPCError({ code: "FORBIDDEN", message: "the viewer token is read-only" });
  return null;
}

/** A procedure's outcome as tRPC's middlewares see it: failures come back, they are not thrown. */
type Outcome = { ok: true } | { ok: false; error: { cause?: unknown } };

/**
 * Runs a procedure's work within the Redis bound (and its span, when tracing): a procedure that
 * cannot reach Redis in time answers SERVICE_UNAVAILABLE instead of hanging, and nothing is
 * reported as queued that was not. Shared by the guard middleware and http/direct-send.ts.
 */
export async function withinBound<T extends Outcome>(
  path: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const bounded = () => withDeadline(timeoutMs, run);
    const result = await (isTracing() ? traced(path, bounded) : bounded());
    const failure = result.ok ? null : storageFailure(result.error.cause);
    if (failure) throw failure;
    return result;
  } catch (error) {
    if (error instanceof TRPCError) throw error;
    throw storageFailure(error) ?? error;
  }
}

/** Redis out of memory, unreachable or partitioned differently: the answer each deserves. */
function storageFailure(cause: unknown): TRPCError | null {
  if (isOutOfMemoryError(cause)) return outOfMemory(cause);
  if (isConnectionError(cause)) return unavailable(cause);
  if (cause instanceof PartitionCountError) return miscounted(cause);
  return null;
}

/**
 * Auth, then the Redis bound, in one middleware (each tRPC middleware costs an object spread per
 * call). No I/O happens before the bound, so auth and input validation still answer while Redis
 * is down.
 */
function guard(required: Required) {
  return t.middleware(({ ctx, meta, next, path, type }) => {
    const refused = refusal(ctx.caller, required, type);
    if (refused) throw refused;
    return withinBound(path, meta?.timeoutMs ?? ctx.deps.config.redisTimeoutMs, () => next());
  });
}

/** QUEUE_PARTITIONS disagrees with the count Redis registered: a deployment error, not a crash. */
function miscounted(error: PartitionCountError): TRPCError {
  return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
}

/** A SERVER span per procedure call: the root of an enqueue's trace (the job continues it). */
function traced<T extends Outcome>(path: string, run: () => Promise<T>): Promise<T> {
  return trace
    .getTracer("@notify/api")
    .startActiveSpan(
      path,
      { kind: SpanKind.SERVER, attributes: { "rpc.system": "trpc", "rpc.method": path } },
      async (span) => {
        try {
          const result = await run();
          if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR });
          return result;
        } finally {
          span.end();
        }
      },
    );
}

function unavailable(cause: unknown): TRPCError {
  const reason = cause instanceof Error ? cause.message : "redis unreachable";
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `queue storage unavailable: ${reason}`, cause });
}

/** Redis at maxmemory under noeviction refuses writes: nothing was queued, retrying later is right. */
function outOfMemory(cause: unknown): TRPCError {
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "queue storage unavailable: Redis is out of memory (maxmemory reached), nothing was queued; retry later",
    cause,
  });
}

export const publicProcedure = t.procedure.use(guard("anyone"));
export const serviceProcedure = t.procedure.use(guard("service"));
export const adminProcedure = t.procedure.use(guard("admin"));
/** Admin token only, queries included: the admin's session store and audit writes. */
export const operatorProcedure = t.procedure.use(guard("operator"));

/** Development-only procedures (seed 002's dev tools) do not exist in production. */
export const devProcedure = operatorProcedure.use(({ ctx, next }) => {
  if (!ctx.deps.config.dev) {
    throw new TRPCError({ code: "NOT_FOUND", message: "development tools are off in production" });
  }
  return next();
});
