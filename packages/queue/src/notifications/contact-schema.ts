// What a contact may hold, checked once with zod for the store, the API and seed 000's new users.
// Every field is bounded so one contact stays under a few KiB whatever a caller sends; locale and
// time zone are checked against the runtime's own Intl data and stored in their canonical form.
import { z } from "zod";
import { emailAddressSchema } from "./email-jobs.ts";

export const MAX_CONTACT_ATTRIBUTES = 50;
export const MAX_CONTACT_GROUPS = 20;
export const MAX_ATTRIBUTE_TEXT = 1_000;

/** Ids travel in seed 003's `contact_ids` and in Redis keys: printable, no spaces, 1-200 characters. */
export const contactIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,199}$/, "must be 1-200 letters, digits or . _ : @ + - (no spaces)");

export const groupNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((name) => !/\p{Cc}/u.test(name), "must be printable text");

const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +919876543210");

function canonicalLocale(value: string): string | null {
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}

let knownZones: Map<string, string> | undefined;

/**
 * The zone as the IANA database spells it (case fixed), never swapped for an old alias: ICU
 * resolves Asia/Kolkata to Asia/Calcutta, which would surprise whoever wrote it.
 */
function canonicalTimeZone(value: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (resolved.toLowerCase() === value.toLowerCase()) return resolved;
  knownZones ??= new Map(Intl.supportedValuesOf("timeZone").map((zone) => [zone.toLowerCase(), zone]));
  return knownZones.get(value.toLowerCase()) ?? value;
}

const localeSchema = z
  .string()
  .trim()
  .max(35)
  .transform((value, ctx) => {
    const locale = canonicalLocale(value);
    if (locale) return locale;
    ctx.addIssue({ code: "custom", message: "must be a BCP 47 language tag such as en-IN" });
    return z.NEVER;
  });

const timeZoneSchema = z
  .string()
  .trim()
  .max(64)
  .transform((value, ctx) => {
    const zone = canonicalTimeZone(value);
    if (zone) return zone;
    ctx.addIssue({ code: "custom", message: "must be an IANA time zone such as Asia/Kolkata" });
    return z.NEVER;
  });

const attributeValue = z.union([z.string().max(MAX_ATTRIBUTE_TEXT), z.number().finite(), z.boolean(), z.null()]);

export const attributesSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a name of letters, digits and _"), attributeValue)
  .refine((value) => Object.keys(value).length <= MAX_CONTACT_ATTRIBUTES, {
    message: `at most ${MAX_CONTACT_ATTRIBUTES} attributes`,
  });

export type AttributeValue = z.infer<typeof attributeValue>;

/**
 * An upsert: `id` and whatever changes. A field left out keeps its value, `null` clears it;
 * `attributes` and `groups`, when given, replace the old ones.
 */
export const contactInputSchema = z.object({
  id: contactIdSchema,
  email: emailAddressSchema.nullish(),
  phone: phoneSchema.nullish(),
  name: z.string().trim().max(200).nullish(),
  /** BCP 47 tag; templates will pick their language from it. */
  locale: localeSchema.nullish(),
  /** IANA zone; templates will format dates in it. */
  timeZone: timeZoneSchema.nullish(),
  attributes: attributesSchema.optional(),
  groups: z.array(groupNameSchema).max(MAX_CONTACT_GROUPS).optional(),
});

export type ContactInput = z.input<typeof contactInputSchema>;
export type ContactChange = z.output<typeof contactInputSchema>;

export interface Contact {
  id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  attributes: Record<string, AttributeValue>;
  groups: string[];
  /** The service key that created it (null: the admin, a seed event or a raw producer). */
  tenant: string | null;
  createdAt: number;
  updatedAt: number;
}
