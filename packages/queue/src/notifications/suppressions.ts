// The email suppression list: addresses that hard-bounced, reported spam or unsubscribed are not
// sent to again. One hash in the email queue's slot, address (lower-cased) -> JSON of why and when.
import type { RedisConnection } from "../connection.ts";
import { emailKeys, preferenceKeys } from "./keys.ts";

export type SuppressionReason = "hard_bounce" | "spam_report" | "unsubscribe" | "manual";

export interface Suppression {
  address: string;
  reason: SuppressionReason;
  at: number;
  /** Free text from the event or the operator, e.g. the bounce message. */
  detail?: string;
}

const key = () => emailKeys().suppressed;
const normalize = (address: string) => address.trim().toLowerCase();

function decode(address: string, raw: string): Suppression {
  try {
    const value = JSON.parse(raw) as Omit<Suppression, "address">;
    return { address, reason: value.reason ?? "manual", at: Number(value.at ?? 0), detail: value.detail };
  } catch {
    return { address, reason: "manual", at: 0, detail: raw };
  }
}

/** The suppression of `address`, or null when it may be sent to. */
export async function isSuppressed(redis: RedisConnection, address: string): Promise<Suppression | null> {
  const normalized = normalize(address);
  const raw = await redis.hget(key(), normalized);
  return raw === null ? null : decode(normalized, raw);
}

/** isSuppressed for many addresses in one HMGET, in the order given. */
export async function suppressionsOf(
  redis: RedisConnection,
  addresses: readonly string[],
): Promise<(Suppression | null)[]> {
  if (addresses.length === 0) return [];
  const normalized = addresses.map(normalize);
  const raws = await redis.hmget(key(), ...normalized);
  return raws.map((raw, index) => (raw === null ? null : decode(normalized[index] ?? "", raw)));
}

/** Adds or refreshes a suppression; the first reason recorded is kept. Returns true when new. */
export async function suppress(
  redis: RedisConnection,
  address: string,
  reason: SuppressionReason,
  options: { detail?: string; at?: number } = {},
): Promise<boolean> {
  const value = JSON.stringify({ reason, at: options.at ?? Date.now(), detail: options.detail?.slice(0, 500) });
  return (await redis.hsetnx(key(), normalize(address), value)) === 1;
}

/** An operator's removal of a suppression, kept (the last MAX_REMOVALS) so the list's history is auditable. */
export interface SuppressionRemoval {
  address: string;
  reason: string;
  at: number;
  /** What the suppression said before it was removed. */
  was?: Omit<Suppression, "address">;
}

const MAX_REMOVALS = 1_000;

/** Removes a suppression; with `reason`, the removal is recorded in a capped audit list. */
export async function removeSuppression(redis: RedisConnection, address: string, reason?: string): Promise<boolean> {
  const normalized = normalize(address);
  const previous = await redis.hget(key(), normalized);
  if (previous === null) return false;
  const tx = redis.multi().hdel(key(), normalized);
  if (reason !== undefined) {
    const { address: _address, ...was } = decode(normalized, previous);
    const removal: SuppressionRemoval = { address: normalized, reason: reason.slice(0, 500), at: Date.now(), was };
    const log = preferenceKeys().suppressionRemovals;
    tx.lpush(log, JSON.stringify(removal)).ltrim(log, 0, MAX_REMOVALS - 1);
  }
  const [[, removed] = [null, 0]] = ((await tx.exec()) ?? []) as [unknown, number][];
  return removed === 1;
}

/** The latest removals, newest first. */
export async function suppressionRemovals(redis: RedisConnection, limit = 50): Promise<SuppressionRemoval[]> {
  const raw = await redis.lrange(preferenceKeys().suppressionRemovals, 0, Math.min(limit, MAX_REMOVALS) - 1);
  return raw.flatMap((entry) => {
    try {
      return [JSON.parse(entry) as SuppressionRemoval];
    } catch {
      return [];
    }
  });
}

export async function countSuppressions(redis: RedisConnection): Promise<number> {
  return redis.hlen(key());
}

/** One page of the list (HSCAN order); pass the returned cursor back until it is "0". */
export async function listSuppressions(
  redis: RedisConnection,
  options: { cursor?: string; count?: number; match?: string } = {},
): Promise<{ cursor: string; entries: Suppression[] }> {
  const args: (string | number)[] = ["COUNT", options.count ?? 100];
  if (options.match) args.unshift("MATCH", options.match);
  const [cursor, flat] = (await redis.hscan(key(), options.cursor ?? "0", ...(args as ["COUNT", number]))) as [
    string,
    string[],
  ];
  const entries: Suppression[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push(decode(flat[i] as string, flat[i + 1] as string));
  return { cursor, entries };
}

export const suppressions = {
  isSuppressed,
  suppress,
  remove: removeSuppression,
  removals: suppressionRemovals,
  count: countSuppressions,
  list: listSuppressions,
};
