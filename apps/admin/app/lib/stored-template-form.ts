// The stored-template form's fields to and from the API's shape. Pure, so it is unit-tested
// without a browser; the API validates everything again.
export type Channel = "email" | "sms";

export interface Variable {
  name: string;
  required: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Most a JSON field of the form may hold; the API's own cap on a template is 64 KB. */
const MAX_JSON_CHARS = 70_000;

export function parseJsonObject(raw: string): Parsed<Record<string, unknown>> {
  if (raw.length > MAX_JSON_CHARS) return { ok: false, message: "The JSON is too long." };
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { ok: false, message: "The JSON must be an object." };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, message: "The JSON is not valid." };
  }
}

/** "order_number, note?" -> [{order_number, required}, {note, optional}]. */
export function parseVariables(text: string): Variable[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .slice(0, 50)
    .map((part) =>
      part.endsWith("?") ? { name: part.slice(0, -1), required: false } : { name: part, required: true },
    );
}

export function variablesText(variables: readonly Variable[]): string {
  return variables.map((v) => (v.required ? v.name : `${v.name}?`)).join(", ");
}

interface EmailContent {
  subject: string;
  mjml: string;
  text: string;
}

export type LocalesResult =
  | { ok: true; email: Record<string, EmailContent>; sms: Record<string, { text: string }> }
  | { ok: false; message: string };

/** The default locale from its fields plus the other locales given as JSON. */
export function parseLocales(
  channel: Channel,
  fields: { subject: string; mjml: string; text: string; more: string },
): LocalesResult {
  let more: Record<string, unknown> = {};
  if (fields.more) {
    const parsed = parseJsonObject(fields.more);
    if (!parsed.ok) return { ok: false, message: `Other locales: ${parsed.message}` };
    more = parsed.value;
  }
  if (channel === "email") {
    const email = {
      ...(more as Record<string, EmailContent>),
      default: { subject: fields.subject, mjml: fields.mjml, text: fields.text },
    };
    return { ok: true, email, sms: {} };
  }
  const sms = { ...(more as Record<string, { text: string }>), default: { text: fields.text } };
  return { ok: true, email: {}, sms };
}

export const STARTER_MJML = `<mjml>
<mj-body>
<mj-section><mj-column>
<mj-text>Hello {{name}}</mj-text>
<mj-text font-size="12px"><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section>
</mj-body>
</mjml>`;
