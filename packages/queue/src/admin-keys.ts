// Every Redis key of the admin's sessions and login throttle, built here and nowhere else. They
// share the hash tag `{admin}` so reading a session and the revocation generation together is one
// MGET on Redis Cluster too. Client identifiers are hashed: keys stay short whatever a client
// sends, and no address is stored in clear.
import { createHash } from "node:crypto";

export interface AdminKeys {
  /** One session record (JSON), expiring with the session. */
  session(id: string): string;
  /** Bumped by "log out everywhere": a session made under an older generation is void. */
  readonly generation: string;
  /** Login attempts of one client in the current window. */
  loginClient(client: string): string;
  /** Login attempts of every client in the current window. */
  readonly loginAll: string;
  /** The admin's audit log: a capped list of JSON entries, newest first. */
  readonly audit: string;
  /** A marker that survives a restart only if Redis kept its data (see continuity.ts). */
  readonly continuity: string;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

export function adminKeys(prefix = "admin"): AdminKeys {
  const base = `${prefix}:{admin}`;
  return {
    session: (id) => `${base}:session:${id}`,
    generation: `${base}:sessions:generation`,
    loginClient: (client) => `${base}:login:client:${digest(client)}`,
    loginAll: `${base}:login:all`,
    audit: `${base}:audit`,
    continuity: `${base}:continuity`,
  };
}
