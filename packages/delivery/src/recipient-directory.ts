// Where a recipient's locale comes from when a stored template has variants: the job's own
// `data.locale`, else the contact store's record for the job's address (email or E.164 number).
// The directory is a seam: a deployment with its own user store can pass another.
import type { RedisConnection } from "@notify/queue";
import { chooseLocale, contactProfile } from "@notify/queue/notifications";

/** A recipient's locale and time zone, for a stored template's variant. */
export interface RecipientProfile {
  locale?: string;
  timeZone?: string;
}

export interface RecipientDirectory {
  /** `tenant` is the job's: a contact another tenant created is not theirs to use. */
  profileOf(to: string, data: Record<string, unknown>, tenant?: string): Promise<RecipientProfile>;
}

const shortText = (value: unknown) => (typeof value === "string" && value.length <= 64 ? value : undefined);

/** Reads `locale` and `timeZone` from the job's data only. */
export const jobDataDirectory: RecipientDirectory = {
  async profileOf(_to, data) {
    return { locale: shortText(data.locale), timeZone: shortText(data.timeZone) };
  },
};

/** The job's own `locale` and `timeZone`, else those of the contact holding the recipient's address. */
export function contactDirectory(redis: RedisConnection): RecipientDirectory {
  return {
    async profileOf(to, data, tenant) {
      const given = await jobDataDirectory.profileOf(to, data);
      if (given.locale && given.timeZone) return given;
      const contact = await contactProfile(redis, to, { tenant });
      return {
        locale: given.locale ?? contact?.locale ?? undefined,
        timeZone: given.timeZone ?? contact?.timeZone ?? undefined,
      };
    },
  };
}

/**
 * The locale a stored template is rendered in. The directory is asked only when the template has
 * variants to choose from and the job names no locale, so a single-language template costs no
 * Redis read per message.
 */
export async function localeFor(
  directory: RecipientDirectory,
  locales: Readonly<Record<string, unknown>>,
  job: { to: string; data: Record<string, unknown>; tenant?: unknown },
): Promise<string> {
  if (Object.keys(locales).length < 2) return chooseLocale(locales, undefined);
  const given = shortText(job.data.locale);
  const tenant = typeof job.tenant === "string" ? job.tenant : undefined;
  const locale = given ?? (await directory.profileOf(job.to, job.data, tenant)).locale;
  return chooseLocale(locales, locale);
}
