// Typed email jobs (seed 004's templates). The engine core knows nothing of email: this module
// only describes what an email job's data must contain, so producers fail fast and workers can
// dead-letter a job whose data does not fit its template.
import { z } from "zod";
import { refineTemplateData } from "./template-data.ts";

export const EMAIL_QUEUE = "email";

const money = z.union([z.number().finite().nonnegative(), z.string().regex(/^\d+(\.\d{1,4})?$/)]);
const text = (max = 200) => z.string().trim().min(1).max(max);
/**
 * A field the template renders without: absent, null (Python's None) or blank all mean "not
 * given", and the template leaves its sentence out. Only what no email can do without is required.
 */
const optionalText = (max = 200) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), text(max).nullish());
const optionalMoney = money.nullish();

export const emailTemplateDataSchemas = {
  welcome: z.object({ user_name: optionalText(), referral_code: optionalText(64) }),
  order_confirmation: z.object({
    order_number: text(64),
    total_amount: money,
    currency: z.string().length(3).optional(),
    items: z
      .array(z.object({ name: text(), quantity: z.number().int().positive(), price: money }))
      .max(100)
      .optional(),
  }),
  cashback_confirmed: z.object({ amount: money, new_balance: optionalMoney }),
  withdrawal_requested: z.object({ amount: money, method: optionalText(64) }),
  withdrawal_processed: z.object({ amount: money, transaction_id: optionalText(128), status: optionalText(32) }),
  withdrawal_rejected: z.object({ amount: money, reason: optionalText(500), refunded_amount: optionalMoney }),
} as const;

export type EmailTemplate = keyof typeof emailTemplateDataSchemas;
export const EMAIL_TEMPLATES = Object.keys(emailTemplateDataSchemas) as EmailTemplate[];
export type EmailTemplateData<T extends EmailTemplate> = z.infer<(typeof emailTemplateDataSchemas)[T]>;

export const emailAddressSchema = z.email().max(320);

/** Validates a whole email job: a known template, a valid address and data that fits the template. */
export const emailJobSchema = z
  .object({
    type: z.enum(EMAIL_TEMPLATES as [EmailTemplate, ...EmailTemplate[]]),
    to: emailAddressSchema,
    data: z.record(z.string(), z.unknown()),
  })
  .superRefine(refineTemplateData(emailTemplateDataSchemas));

export type EmailJobInput = {
  [T in EmailTemplate]: { type: T; to: string; data: EmailTemplateData<T> };
}[EmailTemplate];
