// New users announced by seed 000's events ({email, name, group}) become contacts of that group in
// the contact store (contacts.ts): found by address, else created with the address as id. The
// event's campaign and time are kept as the contact's `campaign_id` and `joined_at` attributes
// when it first joins. A re-run event finds the contact and changes nothing but its updatedAt.
// What the store's caps refuse is counted as `overflow`.
import type { RedisConnection } from "../connection.ts";
import type { Contact } from "./contact-schema.ts";
import {
  ContactError,
  contactByEmail,
  contactGroups,
  contactIdForEmail,
  contactIdsInGroup,
  getContacts,
  upsertContact,
} from "./contacts.ts";
import { newUserKeys } from "./keys.ts";
import type { NewUser } from "./seed-email-events.ts";

export type NewUserOutcome = "added" | "updated" | "overflow";

export async function recordNewUser(redis: RedisConnection, user: NewUser): Promise<NewUserOutcome> {
  const keys = newUserKeys();
  const known = await contactByEmail(redis, user.email);
  const attributes = { ...(known?.attributes ?? {}) };
  if (user.campaignId && attributes.campaign_id === undefined) attributes.campaign_id = user.campaignId;
  attributes.joined_at ??= user.at;
  try {
    await upsertContact(
      redis,
      {
        id: known?.id ?? contactIdForEmail(user.email),
        email: known?.email ?? user.email.trim().toLowerCase(),
        ...(user.name && !known?.name ? { name: user.name } : {}),
        attributes,
      },
      { addGroups: [user.group] },
    );
  } catch (error) {
    if (!(error instanceof ContactError)) throw error;
    await redis.hincrby(keys.counts, "overflow", 1);
    return "overflow";
  }
  const outcome = known ? "updated" : "added";
  await redis.hincrby(keys.counts, outcome, 1);
  return outcome;
}

export interface NewUserRecord {
  email: string;
  name?: string;
  group: string;
  campaignId?: string;
  at: number;
}

function asNewUser(contact: Contact, group: string): NewUserRecord | null {
  if (!contact.email) return null;
  const { campaign_id: campaignId, joined_at: at } = contact.attributes;
  return {
    email: contact.email,
    ...(contact.name ? { name: contact.name } : {}),
    group,
    ...(typeof campaignId === "string" ? { campaignId } : {}),
    at: typeof at === "number" ? at : contact.createdAt,
  };
}

/** Up to `limit` contacts of one group, as new-user records (SSCAN order). */
export async function newUsersOf(redis: RedisConnection, group: string, limit = 100): Promise<NewUserRecord[]> {
  const contacts = await getContacts(redis, await contactIdsInGroup(redis, group, limit));
  return contacts.flatMap((contact) => {
    const user = contact && asNewUser(contact, group);
    return user ? [user] : [];
  });
}

export interface NewUserSummary {
  /** Group -> contacts in it now. */
  groups: Record<string, number>;
  added: number;
  updated: number;
  /** New users not recorded because a cap of the contact store was reached. */
  overflow: number;
}

/** Totals and the sizes of the `maxGroups` groups that grew last. */
export async function newUserSummary(redis: RedisConnection, maxGroups = 100): Promise<NewUserSummary> {
  const [groups, counts] = await Promise.all([contactGroups(redis, maxGroups), redis.hgetall(newUserKeys().counts)]);
  const n = (field: string) => Number(counts[field] ?? 0);
  return { groups, added: n("added"), updated: n("updated"), overflow: n("overflow") };
}
