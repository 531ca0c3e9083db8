// Recipients' preferences: the categories a recipient unsubscribed from. One hash, recipient
// (lower-cased address or E.164 number) -> JSON {category: unsubscribed at (ms)}; one HGET per
// send. Transactional messages ignore it (a password reset is not marketing); the suppression
// list (suppressions.ts) stops everything. Bounded: at most MAX_CATEGORIES_PER_RECIPIENT a
// recipient and MAX_RECIPIENTS in all.
import type { RedisConnection } from "../connection.ts";
import { preferenceKeys } from "./keys.ts";
import { TRANSACTIONAL } from "./stored-templates.ts";

export const MAX_CATEGORIES_PER_RECIPIENT = 50;
export const MAX_RECIPIENTS = 5_000_000;

const normalize = (recipient: string) => recipient.trim().toLowerCase();

function decode(raw: string | null): Record<string, number> {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** The categories `recipient` unsubscribed from, with when. */
export async function unsubscribedCategories(
  redis: RedisConnection,
  recipient: string,
): Promise<Record<string, number>> {
  return decode(await redis.hget(preferenceKeys().unsubscribed, normalize(recipient)));
}

/** Whether a message of `category` may go to `recipient`: transactional always may. */
export async function isUnsubscribed(redis: RedisConnection, recipient: string, category: string): Promise<boolean> {
  if (category === TRANSACTIONAL) return false;
  return Object.hasOwn(await unsubscribedCategories(redis, recipient), category);
}

/** isUnsubscribed for many messages in one HMGET (none for transactional ones), in the order given. */
export async function unsubscribedFrom(
  redis: RedisConnection,
  messages: readonly { recipient: string; category: string }[],
): Promise<boolean[]> {
  const asked = messages.filter((m) => m.category !== TRANSACTIONAL);
  const raws =
    asked.length === 0
      ? []
      : await redis.hmget(preferenceKeys().unsubscribed, ...asked.map((m) => normalize(m.recipient)));
  const found = new Map(asked.map((m, index) => [m, Object.hasOwn(decode(raws[index] ?? null), m.category)]));
  return messages.map((m) => found.get(m) ?? false);
}

export class PreferenceLimitError extends Error {
  override readonly name = "PreferenceLimitError";
}

/**
 * Records an unsubscribe; repeating it keeps the first time. Read-modify-write without a lock: two
 * changes to one recipient's preferences at the same instant may lose one (they come from one
 * person's clicks, so this is accepted).
 */
export async function unsubscribe(
  redis: RedisConnection,
  recipient: string,
  category: string,
  at = Date.now(),
): Promise<boolean> {
  if (category === TRANSACTIONAL) throw new PreferenceLimitError("transactional messages cannot be unsubscribed from");
  const key = preferenceKeys().unsubscribed;
  const who = normalize(recipient);
  const [raw, size] = await Promise.all([redis.hget(key, who), redis.hlen(key)]);
  const current = decode(raw);
  if (Object.hasOwn(current, category)) return false;
  if (raw === null && size >= MAX_RECIPIENTS)
    throw new PreferenceLimitError(`preferences hold at most ${MAX_RECIPIENTS} recipients`);
  if (Object.keys(current).length >= MAX_CATEGORIES_PER_RECIPIENT)
    throw new PreferenceLimitError(`at most ${MAX_CATEGORIES_PER_RECIPIENT} categories per recipient`);
  await redis.hset(key, who, JSON.stringify({ ...current, [category]: at }));
  return true;
}

/** Subscribes `recipient` to `category` again. */
export async function resubscribe(redis: RedisConnection, recipient: string, category: string): Promise<boolean> {
  const key = preferenceKeys().unsubscribed;
  const who = normalize(recipient);
  const current = decode(await redis.hget(key, who));
  if (!Object.hasOwn(current, category)) return false;
  delete current[category];
  if (Object.keys(current).length === 0) await redis.hdel(key, who);
  else await redis.hset(key, who, JSON.stringify(current));
  return true;
}
