// Recipient numbers are checked against real numbering plans (full metadata), not only their shape.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/** The E.164 form of a valid mobile-capable number, or null. */
export function normalizeMobile(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed?.isValid()) return null;
  const type = parsed.getType();
  // Fixed lines cannot receive SMS; numbers whose type the metadata cannot tell are given the benefit of the doubt.
  if (type === "FIXED_LINE" || type === "PREMIUM_RATE" || type === "TOLL_FREE" || type === "VOICEMAIL") return null;
  return parsed.number;
}
