// Logins and logouts in the audit log, beside the changes they led to: who got in (role and a
// short session handle), from where, and the refusals. Best effort: a log that cannot be written
// never stops a login or a logout; it leaves one warning line. Refusals are bounded by the login
// throttle (a client's attempts per window), and a throttled client is recorded once, not per
// attempt, so an attacker cannot push real entries out of the capped log by hammering the form.
import { describeApiError, operatorClient } from "./api.server.ts";

export interface AccessEvent {
  action: "login" | "login-refused" | "logout" | "logout-everywhere";
  actor: string;
  /** The client address as the admin saw it. */
  client: string;
  detail: string;
  ok: boolean;
}

export async function recordAccess(event: AccessEvent): Promise<void> {
  try {
    await operatorClient().audit.record.mutate({
      actor: event.actor,
      action: event.action,
      target: `from ${event.client}`,
      detail: event.detail,
      ok: event.ok,
    });
  } catch (error) {
    console.warn(
      JSON.stringify({
        msg: "admin access not written to the audit log",
        action: event.action,
        error: describeApiError(error).message,
      }),
    );
  }
}

/** The audit log's name for a session: its role and the first characters of its random id. */
export function sessionActor(role: string, sessionId: string): string {
  return `${role} ${sessionId.slice(0, 6)}`;
}
