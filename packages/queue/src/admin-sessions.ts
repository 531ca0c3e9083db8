// The admin's login sessions, kept in Redis so they can be revoked: a random id per login (the
// cookie carries only that id, signed), a server-side expiry (the key's TTL, checked again on
// read), revoke one on logout, and revoke all at once ("log out everywhere") by bumping a
// generation number that every session records when it is made. Memory is bounded: each session
// key expires with its session; the generation is one integer.
import { randomBytes } from "node:crypto";
import { type AdminKeys, adminKeys } from "./admin-keys.ts";
import type { RedisConnection } from "./connection.ts";

/** What a login may do: an admin changes things, a viewer only reads (issue 15, roles). */
export type AdminRole = "admin" | "viewer";

export interface AdminSession {
  id: string;
  role: AdminRole;
  createdAt: number;
  expiresAt: number;
}

interface StoredSession {
  createdAt: number;
  expiresAt: number;
  generation: number;
  /** Absent in sessions made before roles existed: those were admins. */
  role?: AdminRole;
}

/** Longest session the store accepts; the admin's own setting is usually 12 hours. */
export const MAX_ADMIN_SESSION_MS = 7 * 24 * 60 * 60 * 1000;

/** 32 random bytes, base64url: what create() makes, and all that get() looks up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function isAdminSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

export class AdminSessions {
  private readonly keys: AdminKeys;

  constructor(
    private readonly redis: RedisConnection,
    options: { prefix?: string } = {},
  ) {
    this.keys = adminKeys(options.prefix);
  }

  async create(ttlMs: number, options: { role?: AdminRole } = {}): Promise<AdminSession> {
    const role = options.role ?? "admin";
    if (!Number.isInteger(ttlMs) || ttlMs < 1_000 || ttlMs > MAX_ADMIN_SESSION_MS) {
      throw new RangeError(`session lifetime must be 1 s to 7 days, got ${ttlMs} ms`);
    }
    const id = randomBytes(32).toString("base64url");
    const createdAt = Date.now();
    const expiresAt = createdAt + ttlMs;
    // A "log out everywhere" between this read and the write below voids the new session too;
    // the operator just logs in again, nothing outlives the revocation.
    const generation = Number((await this.redis.get(this.keys.generation)) ?? 0);
    const stored: StoredSession = { createdAt, expiresAt, generation, role };
    await this.redis.set(this.keys.session(id), JSON.stringify(stored), "PX", ttlMs);
    return { id, role, createdAt, expiresAt };
  }

  /** The live session with this id, or null: unknown, expired, revoked, or from before a revoke-all. */
  async get(id: string): Promise<AdminSession | null> {
    if (!isAdminSessionId(id)) return null;
    const [raw, generation] = await this.redis.mget(this.keys.session(id), this.keys.generation);
    if (!raw) return null;
    let stored: StoredSession;
    try {
      stored = JSON.parse(raw) as StoredSession;
    } catch {
      return null;
    }
    if (stored.generation !== Number(generation ?? 0)) return null;
    // The TTL removes the key; this check holds even if a key outlived it (a restored dump).
    if (!(stored.expiresAt > Date.now())) return null;
    // Anything but an explicit admin role from an unexpected record reads as a viewer: fail closed.
    const role: AdminRole = stored.role === undefined || stored.role === "admin" ? "admin" : "viewer";
    return { id, role, createdAt: stored.createdAt, expiresAt: stored.expiresAt };
  }

  /** Logout: true when the session existed. */
  async revoke(id: string): Promise<boolean> {
    if (!isAdminSessionId(id)) return false;
    return (await this.redis.del(this.keys.session(id))) > 0;
  }

  /** Log out everywhere: every session made before this call is void from now on. */
  async revokeAll(): Promise<void> {
    await this.redis.incr(this.keys.generation);
  }
}
