// A message's recipient as the contact store knows them: the locale that picks a stored template's
// variant (the workers) and the time zone quiet hours are read in (the API). The recipient is what
// the job's `to` holds, an email address or an E.164 number, found through the store's address
// indexes. A job's own `data.locale` / `data.timeZone` win over these; callers only ask when the job
// gives none. A contact another tenant created is not used for a tenant's message, as it is not
// shown to that tenant either.
import type { RedisConnection } from "../connection.ts";
import type { Contact } from "./contact-schema.ts";
import { contactVisibleTo } from "./contacts.ts";
import { contactKeys } from "./keys.ts";

export interface ContactProfile {
  locale: string | null;
  timeZone: string | null;
}

/** Recipients per round trip: a 100,000-recipient campaign is 100 pairs of HMGET and MGET. */
const CHUNK = 1_000;

const isPhone = (recipient: string) => recipient.startsWith("+");
const addressOf = (recipient: string) => (isPhone(recipient) ? recipient.trim() : recipient.trim().toLowerCase());

function matches(contact: Contact, recipient: string): boolean {
  const address = addressOf(recipient);
  return isPhone(recipient) ? contact.phone === address : contact.email?.toLowerCase() === address;
}

function parse(raw: string | null | undefined): Contact | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Contact;
  } catch {
    return null;
  }
}

/**
 * The profile of each recipient, in the order asked; null where no contact (visible to `tenant`)
 * holds that address. Two round trips per CHUNK recipients, whatever their mix of channels.
 */
export async function contactProfiles(
  redis: RedisConnection,
  recipients: readonly string[],
  options: { tenant?: string | null } = {},
): Promise<(ContactProfile | null)[]> {
  const keys = contactKeys();
  const found: (ContactProfile | null)[] = [];
  for (let start = 0; start < recipients.length; start += CHUNK) {
    const chunk = recipients.slice(start, start + CHUNK);
    const phones = chunk.filter(isPhone);
    const emails = chunk.filter((recipient) => !isPhone(recipient));
    const [phoneIds, emailIds] = await Promise.all([
      phones.length > 0 ? redis.hmget(keys.byPhone, ...phones.map(addressOf)) : [],
      emails.length > 0 ? redis.hmget(keys.byEmail, ...emails.map(addressOf)) : [],
    ]);
    const idOf = new Map<string, string>();
    const remember = (asked: string[], answers: (string | null)[]) => {
      for (const [i, recipient] of asked.entries()) {
        const id = answers[i];
        if (id) idOf.set(recipient, id);
      }
    };
    remember(phones, phoneIds);
    remember(emails, emailIds);
    const ids = [...new Set(idOf.values())];
    const records = ids.length > 0 ? await redis.mget(...ids.map((id) => keys.contact(id))) : [];
    const byId = new Map(ids.map((id, i) => [id, parse(records[i])]));
    for (const recipient of chunk) {
      const id = idOf.get(recipient);
      const contact = id === undefined ? null : byId.get(id);
      // An index entry a racing write left behind, or another tenant's contact, is not believed.
      found.push(
        contact && matches(contact, recipient) && contactVisibleTo(contact, options.tenant)
          ? { locale: contact.locale, timeZone: contact.timeZone }
          : null,
      );
    }
  }
  return found;
}

export async function contactProfile(
  redis: RedisConnection,
  recipient: string,
  options: { tenant?: string | null } = {},
): Promise<ContactProfile | null> {
  return (await contactProfiles(redis, [recipient], options))[0] ?? null;
}
