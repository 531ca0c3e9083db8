// Input schemas shared by several routers. Template data is checked against the engine's
// per-template schemas so a bad job is refused here, not dead-lettered later.
import {
  EMAIL_TEMPLATES,
  e164Schema,
  emailAddressSchema,
  emailTemplateDataSchemas,
  SMS_TEMPLATES,
  smsTemplateDataSchemas,
} from "@notify/queue/notifications";
import { z } from "zod";

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
    attempts: z.number().int().min(1).max(25).optional(),
  })
  .strict()
  .refine((o) => o.delayMs === undefined || o.runAt === undefined, {
    message: "give delayMs or runAt, not both",
    path: ["runAt"],
  });
export type EnqueueOptions = z.infer<typeof enqueueOptionsSchema>;

export const emailTemplateSchema = z.enum(EMAIL_TEMPLATES as [string, ...string[]]);
export const smsTemplateSchema = z.enum(SMS_TEMPLATES as [string, ...string[]]);

function checkData(
  schemas: Record<string, z.ZodType>,
  template: string,
  data: unknown,
  ctx: z.RefinementCtx,
  path: (string | number)[],
): void {
  const schema = schemas[template];
  if (!schema) return; // the enum already reported the unknown template
  const result = schema.safeParse(data);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({
      code: "custom",
      message: issue.message,
      path: [...path, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    });
  }
}

export const sendEmailInput = z
  .object({
    template: emailTemplateSchema,
    to: emailAddressSchema,
    data: dataSchema.default({}),
    options: enqueueOptionsSchema.optional(),
  })
  .superRefine((input, ctx) => checkData(emailTemplateDataSchemas, input.template, input.data, ctx, ["data"]));

export const sendSmsInput = z
  .object({
    template: smsTemplateSchema,
    to: e164Schema,
    data: dataSchema.default({}),
    options: enqueueOptionsSchema.optional(),
  })
  .superRefine((input, ctx) => checkData(smsTemplateDataSchemas, input.template, input.data, ctx, ["data"]));

export const MAX_BATCH_RECIPIENTS = 100_000;

export const sendEmailBatchInput = z
  .object({
    template: emailTemplateSchema,
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
  })
  .superRefine((input, ctx) => {
    input.recipients.forEach((recipient, index) => {
      checkData(emailTemplateDataSchemas, input.template, { ...input.data, ...recipient.data }, ctx, [
        "recipients",
        index,
        "data",
      ]);
    });
  });

export { dataSchema };

/** Options in the engine's vocabulary. */
export function toPushOptions(options: EnqueueOptions | undefined) {
  if (!options) return {};
  return {
    ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}),
    ...(options.runAt !== undefined
      ? { runAt: typeof options.runAt === "number" ? options.runAt : Date.parse(options.runAt) }
      : {}),
    ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.urgent !== undefined ? { urgent: options.urgent } : {}),
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
  };
}
