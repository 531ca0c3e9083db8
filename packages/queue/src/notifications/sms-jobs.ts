// Typed SMS jobs (seed 004's templates). E.164 is checked here by shape; the SMS worker checks
// the number against real numbering plans with a phone library before sending.
import { z } from "zod";
import { refineTemplateData } from "./template-data.ts";

export const SMS_QUEUE = "sms";

const money = z.union([z.number().finite().nonnegative(), z.string().regex(/^\d+(\.\d{1,4})?$/)]);

export const smsTemplateDataSchemas = {
  otp: z.object({
    otp: z.string().regex(/^\d{4,8}$/, "otp must be 4 to 8 digits"),
    expires_in_minutes: z.number().int().positive().max(60).optional(),
  }),
  order_confirmation: z.object({ order_number: z.string().trim().min(1).max(64), total_amount: money.optional() }),
  cashback_credited: z.object({ amount: money }),
  withdrawal_processed: z.object({ amount: money }),
  withdrawal_rejected: z.object({ amount: money, reason: z.string().trim().max(120).nullish() }),
} as const;

export type SmsTemplate = keyof typeof smsTemplateDataSchemas;
export const SMS_TEMPLATES = Object.keys(smsTemplateDataSchemas) as SmsTemplate[];
export type SmsTemplateData<T extends SmsTemplate> = z.infer<(typeof smsTemplateDataSchemas)[T]>;

export const e164Schema = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, "phone number must be in E.164 form, e.g. +919876543210");

/** OTPs are time-critical: they overtake any backlog of bulk SMS unless the producer says otherwise. */
export const URGENT_SMS_TEMPLATES: ReadonlySet<SmsTemplate> = new Set(["otp"]);

/** Seed 004's producer names the recipient `mobile` (push_sms_job(sms_type, mobile, data)). */
const withRecipient = (job: unknown) =>
  typeof job === "object" && job !== null && (job as { to?: unknown }).to === undefined
    ? { ...job, to: (job as { mobile?: unknown }).mobile }
    : job;

export const smsJobSchema = z.preprocess(
  withRecipient,
  z
    .object({
      type: z.enum(SMS_TEMPLATES as [SmsTemplate, ...SmsTemplate[]]),
      to: e164Schema,
      data: z.record(z.string(), z.unknown()),
    })
    .superRefine(refineTemplateData(smsTemplateDataSchemas)),
);

export type SmsJobInput = { [T in SmsTemplate]: { type: T; to: string; data: SmsTemplateData<T> } }[SmsTemplate];
