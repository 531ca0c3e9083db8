// The admin's audit log (issue 15, item 8): who paused, purged, retried or deleted what, kept in
// Redis so every admin process writes to one log. Memory is bounded twice: each field is cut to a
// fixed length and the list is trimmed to the newest ADMIN_AUDIT_CAP entries in the same
// MULTI as the push, so no crash leaves it longer.
import { type AdminKeys, adminKeys } from "./admin-keys.ts";
import type { RedisConnection } from "./connection.ts";

export const ADMIN_AUDIT_CAP = 1_000;

const LIMITS = { actor: 120, action: 60, target: 200, detail: 500 } as const;

export interface AuditInput {
  /** Who acted, as the admin names them (role and session, never a password). */
  actor: string;
  /** The verb: "pause", "purge", "retry-selected"... */
  action: string;
  /** What it was done to: a queue, a job id, a schedule. */
  target: string;
  /** The outcome as the operator saw it ("Retried 3 of 3 selected jobs."). */
  detail?: string;
  /** False when the action was refused or failed: attempts are worth recording too. */
  ok?: boolean;
}

export interface AuditEntry extends Required<AuditInput> {
  at: number;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export class AdminAudit {
  private readonly keys: AdminKeys;

  constructor(
    private readonly redis: RedisConnection,
    options: { prefix?: string } = {},
  ) {
    this.keys = adminKeys(options.prefix);
  }

  async record(input: AuditInput): Promise<AuditEntry> {
    const entry: AuditEntry = {
      at: Date.now(),
      actor: cut(input.actor, LIMITS.actor),
      action: cut(input.action, LIMITS.action),
      target: cut(input.target, LIMITS.target),
      detail: cut(input.detail ?? "", LIMITS.detail),
      ok: input.ok ?? true,
    };
    await this.redis
      .multi()
      .lpush(this.keys.audit, JSON.stringify(entry))
      .ltrim(this.keys.audit, 0, ADMIN_AUDIT_CAP - 1)
      .exec();
    return entry;
  }

  /** Newest first; a damaged entry (edited by hand) is skipped, not fatal. */
  async list(options: { offset: number; limit: number }): Promise<{ entries: AuditEntry[]; total: number }> {
    const [raw, total] = await Promise.all([
      this.redis.lrange(this.keys.audit, options.offset, options.offset + options.limit - 1),
      this.redis.llen(this.keys.audit),
    ]);
    const entries: AuditEntry[] = [];
    for (const text of raw) {
      try {
        const e = JSON.parse(text) as Partial<AuditEntry>;
        if (typeof e.at === "number" && typeof e.action === "string") {
          entries.push({
            at: e.at,
            actor: String(e.actor ?? ""),
            action: e.action,
            target: String(e.target ?? ""),
            detail: String(e.detail ?? ""),
            ok: e.ok !== false,
          });
        }
      } catch {
        // skipped
      }
    }
    return { entries, total };
  }
}
