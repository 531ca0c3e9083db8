// Each service key is a tenant (#10 finding 10): the jobs, batches and idempotency keys it creates
// are its own. Another key asking for them gets NOT_FOUND, exactly as for something that does not
// exist, so ids cannot be probed; the admin token sees every tenant.
import { createHash } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Context } from "../context.ts";

/** The envelope's idempotency-key field keeps at most this many characters. */
const MAX_KEY_LENGTH = 200;

/**
 * The idempotency key as stored: prefixed with its tenant, so one application can never claim
 * another's key (and with it suppress the other's email). Tenant names cannot contain "/".
 */
export function scopedIdempotencyKey(tenant: string | null, key: string): string {
  const scoped = tenant === null ? `admin/${key}` : `t/${tenant}/${key}`;
  if (scoped.length <= MAX_KEY_LENGTH) return scoped;
  const digest = createHash("sha256").update(key).digest("hex").slice(0, 40);
  return tenant === null ? `admin/#${digest}` : `t/${tenant}/#${digest}`;
}

/** Whether the caller may see something owned by `owner` (a job's or batch's tenant field). */
export function mayRead(ctx: Pick<Context, "caller" | "tenant">, owner: unknown): boolean {
  if (ctx.caller === "admin" || ctx.caller === "viewer") return true;
  return ctx.tenant !== null && owner === ctx.tenant;
}

/** The push options every enqueue of this caller carries: its tenant, when it has one. */
export function tenantOption(ctx: Pick<Context, "tenant">): { tenant?: string } {
  return ctx.tenant === null ? {} : { tenant: ctx.tenant };
}

export function notFound(message: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message });
}
