// Input schemas shared by several routers. Template data is checked against the engine's
// per-template schemas so a bad job is refused here, not dead-lettered later.
import {
  categorySchema,
  EMAIL_TEMPLATES,
  e164Schema,
  emailAddressSchema,
  quietHoursSchema,
  SMS_TEMPLATES,
  templateNameSchema,
} from "@notify/queue/notifications";
import { z } from "zod";
import { scopedIdempotencyKey } from "./tenancy.ts";

/** Same rule as the engine's key builder, so a bad name is a 400 and never reaches Redis. */
export const queueNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "queue names are 1-64 letters, digits, '_', '-' or '.'");

export const jobIdSchema = z.string().min(1).max(200);

const dataSchema = z.record(z.string(), z.unknown());

export const enqueueOptionsSchema = z
  .object({
    /** Run no earlier than this many ms from now. */
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400_000)
      .optional(),
    /** Run no earlier than this moment (ISO 8601 or ms since epoch). */
    runAt: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
    /** A second push with the same key is acknowledged but not queued again. */
    idempotencyKey: z.string().min(1).max(200).optional(),
    /** Overtake the backlog of the queue (OTPs). */
    urgent: z.boolean().optional(),
    /** 1 (first) to 10: claimed after urgent and unprioritized jobs, lowest level first (BullMQ's order). */
    priority: z.number().int().min(1).max(10).optional(),
    attempts: z.number().int().min(1).max(25).optional(),
    /** Past this many ms from now the job is dead-lettered as expired, never sent (OTPs: 5 min by default). */
    ttlMs: z
      .number()
      .int()
      .min(1_000)
      .max(30 * 86_400_000)
      .optional(),
    /** Sent under this category (preferences): `transactional` ignores unsubscribes. */
    category: categorySchema.optional(),
    /** Never held by quiet hours (OTPs never are). */
    critical: z.boolean().optional(),
    /** This send's quiet hours in the recipient's `data.timeZone`, or false for none; default QUIET_HOURS. */
    quietHours: z.union([quietHoursSchema, z.literal(false)]).optional(),
  })
  .strict()
  .refine((o) => o.delayMs === undefined || o.runAt === undefined, {
    message: "give delayMs or runAt, not both",
    path: ["runAt"],
  });
export type EnqueueOptions = z.infer<typeof enqueueOptionsSchema>;

export const emailTemplateSchema = z.enum(EMAIL_TEMPLATES as [string, ...string[]]);
export const smsTemplateSchema = z.enum(SMS_TEMPLATES as [string, ...string[]]);

// Template names are checked here by shape only: whether a stored template or a built-in has that
// name, and whether the data fits it, is asked of Redis in the procedure (lib/template-sends.ts).
const emailTemplateName = templateNameSchema.describe(
  `a built-in email template (${EMAIL_TEMPLATES.join(", ")}) or a published stored one`,
);
const smsTemplateName = templateNameSchema.describe(
  `a built-in SMS template (${SMS_TEMPLATES.join(", ")}) or a published stored one`,
);

export const sendEmailInput = z.object({
  template: emailTemplateName,
  to: emailAddressSchema,
  data: dataSchema.default({}),
  options: enqueueOptionsSchema.optional(),
});

export const sendSmsInput = z.object({
  template: smsTemplateName,
  to: e164Schema,
  data: dataSchema.default({}),
  options: enqueueOptionsSchema.optional(),
});

export const MAX_BATCH_RECIPIENTS = 100_000;

export const sendEmailBatchInput = z.object({
  template: emailTemplateName,
  /** Data shared by every recipient; each recipient's own data is merged over it. */
  data: dataSchema.default({}),
  recipients: z
    .array(z.object({ to: emailAddressSchema, data: dataSchema.optional() }))
    .min(1)
    .max(MAX_BATCH_RECIPIENTS, `a batch holds at most ${MAX_BATCH_RECIPIENTS} recipients`),
  batchId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/)
    .optional(),
  options: enqueueOptionsSchema.optional(),
});

export { dataSchema };

/** Options in the engine's vocabulary, the idempotency key scoped to the caller's tenant. */
export function toPushOptions(options: EnqueueOptions | undefined, tenant: string | null) {
  if (!options) return {};
  return {
    ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}),
    ...(options.runAt !== undefined
      ? { runAt: typeof options.runAt === "number" ? options.runAt : Date.parse(options.runAt) }
      : {}),
    ...(options.idempotencyKey !== undefined
      ? { idempotencyKey: scopedIdempotencyKey(tenant, options.idempotencyKey) }
      : {}),
    ...(options.urgent !== undefined ? { urgent: options.urgent } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
  };
}
