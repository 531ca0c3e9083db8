// The contact store: the people seed 003's EmailJob names by id (email, phone, name, locale, time
// zone, attributes, groups), kept in Redis under one slot of its own. A contact is one JSON string
// key; an id index pages through them in id order, an email index and a phone index find them by
// address (recipient-profiles.ts reads these for the workers and quiet hours), and a set
// per group lists a group's members. Bounded: MAX_CONTACTS contacts (checked before a create, so
// creates at the same moment may pass it by a few), MAX_GROUPS group names, and every field's size
// (contact-schema.ts). Writes go in one MULTI; both address indexes are checked against the record on
// every read, so an index entry left behind by two racing writers is never believed.
import { createHash } from "node:crypto";
import type { RedisConnection } from "../connection.ts";
import {
  type Contact,
  type ContactInput,
  contactIdSchema,
  contactInputSchema,
  MAX_CONTACT_GROUPS,
} from "./contact-schema.ts";
import { contactKeys } from "./keys.ts";
import { describeIssues } from "./template-data.ts";

export const MAX_CONTACTS = 100_000;
export const MAX_GROUPS = 1_000;
/** A page never holds more than this; a search looks at no more than MAX_SCANNED contacts a call. */
export const MAX_PAGE = 100;
const MAX_SCANNED = 5_000;
const CHUNK = 200;

export type ContactErrorCode = "invalid" | "full" | "not_found";

export class ContactError extends Error {
  override name = "ContactError";
  constructor(
    readonly code: ContactErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface UpsertOptions {
  /** The service key writing; a contact another tenant created is not found for it. */
  tenant?: string | null;
  /** Groups added to whatever the contact has (seed 000's new users). */
  addGroups?: string[];
  maxContacts?: number;
}

const lower = (email: string) => email.trim().toLowerCase();

function parseContact(raw: string | null): Contact | null {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as Contact;
  } catch {
    return null; // a hand-edited record is treated as absent rather than crash a listing
  }
}

/** Whether a caller acting for `tenant` (null: the admin) may see `contact`. */
export function contactVisibleTo(contact: Contact, tenant: string | null | undefined): boolean {
  return tenant === null || tenant === undefined || contact.tenant === tenant;
}

export async function getContact(redis: RedisConnection, id: string): Promise<Contact | null> {
  if (!contactIdSchema.safeParse(id).success) return null;
  return parseContact(await redis.get(contactKeys().contact(id)));
}

/** Contacts by id, in the order asked; null where there is none. */
export async function getContacts(redis: RedisConnection, ids: readonly string[]): Promise<(Contact | null)[]> {
  const keys = contactKeys();
  const found: (Contact | null)[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const raw = await redis.mget(...chunk.map((id) => keys.contact(id)));
    for (const record of raw) found.push(parseContact(record));
  }
  return found;
}

export async function contactByEmail(redis: RedisConnection, email: string): Promise<Contact | null> {
  const id = await redis.hget(contactKeys().byEmail, lower(email));
  if (id === null) return null;
  const contact = await getContact(redis, id);
  return contact?.email && lower(contact.email) === lower(email) ? contact : null;
}

/** Creates or changes a contact: fields left out keep their value, null clears one. */
export async function upsertContact(
  redis: RedisConnection,
  input: ContactInput,
  options: UpsertOptions = {},
): Promise<{ contact: Contact; created: boolean }> {
  const parsed = contactInputSchema.safeParse(input);
  if (!parsed.success) throw new ContactError("invalid", `invalid contact: ${describeIssues(parsed.error.issues)}`);
  const change = parsed.data;
  const keys = contactKeys();
  const old = parseContact(await redis.get(keys.contact(change.id)));
  if (old && !contactVisibleTo(old, options.tenant)) throw new ContactError("not_found", `no contact ${change.id}`);
  if (!old && (await redis.zcard(keys.ids)) >= (options.maxContacts ?? MAX_CONTACTS)) {
    throw new ContactError("full", `the contact store is full (${options.maxContacts ?? MAX_CONTACTS} contacts)`);
  }
  const groups = [...new Set([...(change.groups ?? old?.groups ?? []), ...(options.addGroups ?? [])])];
  if (groups.length > MAX_CONTACT_GROUPS)
    throw new ContactError("invalid", `invalid contact: groups: at most ${MAX_CONTACT_GROUPS} groups`);
  const newGroups = groups.filter((group) => !old?.groups.includes(group));
  if (newGroups.length > 0 && (await redis.zcard(keys.groups)) + newGroups.length > MAX_GROUPS) {
    const known = await Promise.all(newGroups.map((group) => redis.zscore(keys.groups, group)));
    if (known.some((score) => score === null))
      throw new ContactError("full", `too many groups (at most ${MAX_GROUPS} group names)`);
  }
  const now = Date.now();
  const pick = <K extends "email" | "phone" | "name" | "locale" | "timeZone">(field: K) =>
    change[field] === undefined ? (old?.[field] ?? null) : (change[field] ?? null);
  const contact: Contact = {
    id: change.id,
    email: pick("email"),
    phone: pick("phone"),
    name: pick("name") || null,
    locale: pick("locale"),
    timeZone: pick("timeZone"),
    attributes: change.attributes ?? old?.attributes ?? {},
    groups,
    tenant: old ? old.tenant : (options.tenant ?? null),
    createdAt: old?.createdAt ?? now,
    updatedAt: now,
  };
  const multi = redis.multi().set(keys.contact(contact.id), JSON.stringify(contact)).zadd(keys.ids, 0, contact.id);
  if (old?.email && (!contact.email || lower(old.email) !== lower(contact.email)))
    multi.hdel(keys.byEmail, lower(old.email));
  if (contact.email) multi.hset(keys.byEmail, lower(contact.email), contact.id);
  if (old?.phone && old.phone !== contact.phone) multi.hdel(keys.byPhone, old.phone);
  if (contact.phone) multi.hset(keys.byPhone, contact.phone, contact.id);
  for (const group of old?.groups ?? []) if (!groups.includes(group)) multi.srem(keys.group(group), contact.id);
  for (const group of newGroups) multi.sadd(keys.group(group), contact.id).zadd(keys.groups, now, group);
  await multi.exec();
  return { contact, created: old === null };
}

export async function deleteContact(
  redis: RedisConnection,
  id: string,
  options: { tenant?: string | null } = {},
): Promise<boolean> {
  const old = await getContact(redis, id);
  if (!old || !contactVisibleTo(old, options.tenant)) return false;
  const keys = contactKeys();
  const multi = redis.multi().del(keys.contact(id)).zrem(keys.ids, id);
  if (old.email && (await redis.hget(keys.byEmail, lower(old.email))) === id)
    multi.hdel(keys.byEmail, lower(old.email));
  if (old.phone && (await redis.hget(keys.byPhone, old.phone)) === id) multi.hdel(keys.byPhone, old.phone);
  for (const group of old.groups) multi.srem(keys.group(group), id);
  const results = await multi.exec();
  return Number(results?.[0]?.[1] ?? 0) === 1;
}

export interface ContactPage {
  contacts: Contact[];
  /** Pass back to continue after the last contact looked at; null when there is no more. */
  nextCursor: string | null;
  /** Contacts in the store (all tenants). */
  total: number;
}

export interface ListOptions {
  /** The id after which to go on (a previous page's nextCursor). */
  cursor?: string | null;
  limit?: number;
  /** Case-insensitive text in the id, email, phone or name. */
  search?: string;
  group?: string;
  /** Only this tenant's contacts (a service key); null or unset: everyone's. */
  tenant?: string | null;
}

/** One page in id order; with a search or group, at most MAX_SCANNED contacts are looked at per call. */
export async function listContacts(redis: RedisConnection, options: ListOptions = {}): Promise<ContactPage> {
  const keys = contactKeys();
  const limit = Math.min(Math.max(1, options.limit ?? 20), MAX_PAGE);
  const needle = options.search?.trim().toLowerCase() || undefined;
  const matches = (contact: Contact) =>
    contactVisibleTo(contact, options.tenant) &&
    (options.group === undefined || contact.groups.includes(options.group)) &&
    (needle === undefined ||
      [contact.id, contact.email, contact.phone, contact.name].some((text) => text?.toLowerCase().includes(needle)));
  const contacts: Contact[] = [];
  let after = options.cursor ?? null;
  let scanned = 0;
  let more = true;
  while (contacts.length < limit && scanned < MAX_SCANNED && more) {
    const ids = await redis.zrangebylex(keys.ids, after === null ? "-" : `(${after}`, "+", "LIMIT", 0, CHUNK);
    more = ids.length === CHUNK;
    const records = await getContacts(redis, ids);
    for (let i = 0; i < ids.length; i++) {
      after = ids[i] as string;
      scanned++;
      const contact = records[i];
      if (contact && matches(contact)) contacts.push(contact);
      if (contacts.length === limit) {
        more = more || i < ids.length - 1;
        break;
      }
    }
  }
  return { contacts, nextCursor: more ? after : null, total: await redis.zcard(keys.ids) };
}

/** Ids of a group's members, at most `limit` (SSCAN order). */
export async function contactIdsInGroup(redis: RedisConnection, group: string, limit = 100): Promise<string[]> {
  const ids: string[] = [];
  let cursor = "0";
  do {
    const [next, chunk] = await redis.sscan(contactKeys().group(group), cursor, "COUNT", Math.min(limit, 1_000));
    ids.push(...chunk);
    cursor = next;
  } while (cursor !== "0" && ids.length < limit);
  return ids.slice(0, limit);
}

/** The `max` groups that gained a member last, with their sizes. */
export async function contactGroups(redis: RedisConnection, max = 100): Promise<Record<string, number>> {
  const keys = contactKeys();
  const names = max > 0 ? await redis.zrevrange(keys.groups, 0, max - 1) : [];
  const sizes = await Promise.all(names.map((name) => redis.scard(keys.group(name))));
  return Object.fromEntries(names.map((name, i) => [name, sizes[i] ?? 0]));
}

/** A contact id for an address (seed 000's new users): the address itself when it is a valid id. */
export function contactIdForEmail(email: string): string {
  const id = lower(email);
  return contactIdSchema.safeParse(id).success ? id : `e_${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
}
