// Stored templates as data (issue 14): what one looks like, how its declared variables check a
// job's data, and which locale variant a recipient gets. Pure zod; the Redis side is in
// template-store.ts and rendering in @notify/delivery. A stored template with a built-in's name
// overrides the built-in.
import { z } from "zod";
import type { TemplateIssue } from "./template-data.ts";

/** Bounds on stored templates: each one is read on every send, so they stay small. */
export const TEMPLATE_LIMITS = {
  /** Stored templates of both channels together. */
  maxTemplates: 500,
  /** Published versions kept per template (the oldest go first; the live one is always kept). */
  maxVersions: 20,
  /** One template's JSON (all its locale variants), in bytes. */
  maxSourceBytes: 64 * 1024,
  maxLocales: 20,
  maxVariables: 50,
} as const;

export const TEMPLATE_NAME = /^[a-z0-9_][a-z0-9_.-]{0,63}$/;
/** "default" or a BCP 47 tag such as "de" or "pt-BR". */
const LOCALE = /^(default|[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2})$/;

export const templateNameSchema = z
  .string()
  .regex(TEMPLATE_NAME, "template names are 1-64 lower-case letters, digits, '_', '-' or '.'");

/** Transactional mail is sent whatever a recipient's preferences; other categories can be unsubscribed from. */
export const categorySchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,40}$/, "categories are 1-40 lower-case letters, digits, '_' or '-'");
export const TRANSACTIONAL = "transactional";
export const MARKETING = "marketing";

const variableSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "variable names are identifiers (letters, digits, '_')"),
    required: z.boolean().default(true),
    /** Longest text accepted for this variable. */
    maxLength: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();

const emailContentSchema = z
  .object({
    subject: z.string().min(1).max(250),
    /** A whole <mjml> document with Handlebars placeholders; `{{x}}` is HTML-escaped. */
    mjml: z.string().min(1).max(TEMPLATE_LIMITS.maxSourceBytes),
    text: z.string().min(1).max(TEMPLATE_LIMITS.maxSourceBytes),
  })
  .strict();
const smsContentSchema = z.object({ text: z.string().min(1).max(1_600) }).strict();

function localesOf<T extends z.ZodType>(content: T) {
  return z
    .record(z.string().regex(LOCALE, 'locales are "default" or tags such as "de" or "pt-BR"'), content)
    .refine((locales) => Object.hasOwn(locales, "default"), { message: 'a "default" locale is required' })
    .refine((locales) => Object.keys(locales).length <= TEMPLATE_LIMITS.maxLocales, {
      message: `at most ${TEMPLATE_LIMITS.maxLocales} locales`,
    });
}

const common = {
  name: templateNameSchema,
  description: z.string().max(500).optional(),
  category: categorySchema.default(TRANSACTIONAL),
  variables: z
    .array(variableSchema)
    .max(TEMPLATE_LIMITS.maxVariables)
    .default([])
    .refine((vars) => new Set(vars.map((v) => v.name)).size === vars.length, { message: "variable names repeat" }),
};

export const storedTemplateSchema = z
  .discriminatedUnion("channel", [
    z.object({ channel: z.literal("email"), ...common, locales: localesOf(emailContentSchema) }).strict(),
    z.object({ channel: z.literal("sms"), ...common, locales: localesOf(smsContentSchema) }).strict(),
  ])
  .refine((template) => Buffer.byteLength(JSON.stringify(template)) <= TEMPLATE_LIMITS.maxSourceBytes, {
    message: `a template is at most ${TEMPLATE_LIMITS.maxSourceBytes} bytes of JSON`,
  });

export type StoredTemplate = z.infer<typeof storedTemplateSchema>;
export type StoredTemplateInput = z.input<typeof storedTemplateSchema>;
export type StoredEmailTemplate = Extract<StoredTemplate, { channel: "email" }>;
export type StoredSmsTemplate = Extract<StoredTemplate, { channel: "sms" }>;
export type EmailContent = z.infer<typeof emailContentSchema>;

/** A published version as a worker sends it. */
export type LiveTemplate = StoredTemplate & { version: number };

const schemaCache = new WeakMap<StoredTemplate, z.ZodType>();

/** The declared variables as a zod schema: text up to maxLength or a finite number; extra keys pass. */
function dataSchemaOf(template: StoredTemplate): z.ZodType {
  let schema = schemaCache.get(template);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const variable of template.variables) {
      const value = z.union([z.string().max(variable.maxLength), z.number().finite(), z.boolean()]);
      shape[variable.name] = variable.required ? value : value.nullish();
    }
    schema = z.looseObject(shape);
    schemaCache.set(template, schema);
  }
  return schema;
}

/** Issues of a job's data against the template's declared variables (empty when it fits). */
export function storedDataIssues(template: StoredTemplate, data: unknown): TemplateIssue[] {
  const result = dataSchemaOf(template).safeParse(data);
  if (result.success) return [];
  const given = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  return result.error.issues.map((issue) => {
    const [field] = issue.path;
    const missing = typeof field === "string" && issue.path.length === 1 && given[field] === undefined;
    return {
      path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
      message: missing ? "required by the template" : issue.message,
    };
  });
}

/**
 * The locale variant for `requested` (a job's or contact's locale): the exact tag, then its
 * language ("pt-BR" -> "pt"), then "default". Tags compare case-insensitively.
 */
export function chooseLocale(locales: Readonly<Record<string, unknown>>, requested: unknown): string {
  if (typeof requested === "string" && requested.length <= 35) {
    const wanted = requested.trim().replace(/_/g, "-").toLowerCase();
    const keys = Object.keys(locales);
    const exact = keys.find((key) => key.toLowerCase() === wanted);
    if (exact) return exact;
    const language = wanted.split("-")[0];
    const byLanguage = keys.find((key) => key.toLowerCase() === language);
    if (byLanguage) return byLanguage;
  }
  return "default";
}
