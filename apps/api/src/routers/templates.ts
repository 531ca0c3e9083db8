import { emailTemplateDataSchemas, smsTemplateDataSchemas } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { dataSchema, emailTemplateSchema, smsTemplateSchema } from "../lib/schemas.ts";
import { adminProcedure, router } from "../trpc.ts";

const previewInput = z
  .discriminatedUnion("channel", [
    z.object({ channel: z.literal("email"), template: emailTemplateSchema, data: dataSchema.default({}) }),
    z.object({ channel: z.literal("sms"), template: smsTemplateSchema, data: dataSchema.default({}) }),
  ])
  .superRefine((input, ctx) => {
    const schemas: Record<string, z.ZodType> =
      input.channel === "email" ? emailTemplateDataSchemas : smsTemplateDataSchemas;
    const result = schemas[input.template]?.safeParse(input.data);
    for (const issue of result?.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", message: issue.message, path: ["data", ...issue.path.map(String)] });
    }
  });

export const templatesRouter = router({
  /** What a recipient would get for this data, rendered by the same code the workers send with. */
  preview: adminProcedure.input(previewInput).query(async ({ ctx, input }) => {
    const renderer = ctx.deps.templates;
    if (!renderer) {
      throw new TRPCError({
        code: "NOT_IMPLEMENTED",
        message: "template rendering is not wired into this API deployment",
      });
    }
    if (input.channel === "email")
      return { channel: "email" as const, ...(await renderer.renderEmail(input.template, input.data)) };
    return { channel: "sms" as const, ...(await renderer.renderSms(input.template, input.data)) };
  }),
});
