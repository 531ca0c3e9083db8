// Templates: previews of the built-ins, and stored templates (issue 14) managed by the admin:
// drafts, published versions, rollback, previews of a draft and test sends of the live version.
// Sending with a stored template is the ordinary email.send / sms.send with its name.
import {
  deleteTemplate,
  EMAIL_QUEUE,
  emailAddressSchema,
  getTemplate,
  listTemplates,
  liveTemplate,
  publishTemplate,
  reportIssues,
  rollbackTemplate,
  SMS_QUEUE,
  saveTemplateDraft,
  storedTemplateSchema,
  TEMPLATE_LIMITS,
  TemplateStoreError,
  templateDataIssues,
  templateNameSchema,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "../context.ts";
import { dataSchema, emailTemplateSchema, smsTemplateSchema } from "../lib/schemas.ts";
import { badRequest, resolveTemplate } from "../lib/template-sends.ts";
import { adminProcedure, router } from "../trpc.ts";

const previewInput = z
  .discriminatedUnion("channel", [
    z.object({ channel: z.literal("email"), template: emailTemplateSchema, data: dataSchema.default({}) }),
    z.object({ channel: z.literal("sms"), template: smsTemplateSchema, data: dataSchema.default({}) }),
  ])
  .superRefine((input, ctx) =>
    reportIssues(ctx, templateDataIssues(input.channel, input.template, input.data), ["data"]),
  );

const channelSchema = z.enum(["email", "sms"]);
const COMPILE_TIMEOUT_MS = 30_000;
const ref = z.object({ channel: channelSchema, name: templateNameSchema });

function rendererOf(ctx: Context) {
  const renderer = ctx.deps.templates;
  if (!renderer)
    throw new TRPCError({
      code: "NOT_IMPLEMENTED",
      message: "template rendering is not wired into this API deployment",
    });
  return renderer;
}

/** The store's refusals as the API's errors. */
async function store<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof TemplateStoreError)) throw error;
    const code = error.code === "not_found" ? "NOT_FOUND" : error.code === "limit" ? "CONFLICT" : "BAD_REQUEST";
    throw new TRPCError({ code, message: error.message });
  }
}

/** MJML and Handlebars errors of a template, as a bad request naming the locale. */
async function checkCompiles(ctx: Context, template: z.infer<typeof storedTemplateSchema>): Promise<void> {
  try {
    await rendererOf(ctx).checkStored(template);
  } catch (error) {
    if (error instanceof TRPCError) throw error;
    throw badRequest([{ path: ["locales"], message: error instanceof Error ? error.message : String(error) }]);
  }
}

export const templatesRouter = router({
  /** What a recipient would get for this data, rendered by the same code the workers send with. */
  preview: adminProcedure.input(previewInput).query(async ({ ctx, input }) => {
    const renderer = rendererOf(ctx);
    if (input.channel === "email")
      return { channel: "email" as const, ...(await renderer.renderEmail(input.template, input.data)) };
    return { channel: "sms" as const, ...(await renderer.renderSms(input.template, input.data)) };
  }),

  /** Stored templates and the built-ins they can override. */
  list: adminProcedure
    .input(z.object({ channel: channelSchema.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      return { stored: await listTemplates(ctx.deps.redis, input.channel), limits: TEMPLATE_LIMITS };
    }),

  get: adminProcedure.input(ref).query(async ({ ctx, input }) => {
    await ctx.ready();
    const detail = await getTemplate(ctx.deps.redis, input.channel, input.name);
    if (!detail)
      throw new TRPCError({ code: "NOT_FOUND", message: `no stored ${input.channel} template "${input.name}"` });
    return detail;
  }),

  /** Saves the draft (created when new) after checking that every locale compiles; nothing is sent from a draft. */
  // The first compile loads MJML (seconds of CPU); the Redis bound is for Redis, not for that.
  save: adminProcedure
    .meta({ timeoutMs: COMPILE_TIMEOUT_MS })
    .input(storedTemplateSchema)
    .mutation(async ({ ctx, input }) => {
      await checkCompiles(ctx, input);
      await ctx.ready();
      return store(() => saveTemplateDraft(ctx.deps.redis, input));
    }),

  publish: adminProcedure
    .input(ref.extend({ note: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      return store(() => publishTemplate(ctx.deps.redis, input.channel, input.name, input.note));
    }),

  rollback: adminProcedure
    .input(ref.extend({ version: z.number().int().positive() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.ready();
      await store(() => rollbackTemplate(ctx.deps.redis, input.channel, input.name, input.version));
      return { published: input.version };
    }),

  delete: adminProcedure.input(ref).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    return { deleted: await deleteTemplate(ctx.deps.redis, input.channel, input.name) };
  }),

  /** Renders the draft (or, with `live`, the published version) for this data and locale. */
  previewStored: adminProcedure
    .meta({ timeoutMs: COMPILE_TIMEOUT_MS })
    .input(
      ref.extend({
        data: dataSchema.default({}),
        locale: z.string().max(35).optional(),
        live: z.boolean().default(false),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const template = input.live
        ? await liveTemplate(ctx.deps.redis, input.channel, input.name)
        : (await getTemplate(ctx.deps.redis, input.channel, input.name))?.draft;
      if (!template)
        throw new TRPCError({
          code: "NOT_FOUND",
          message: `no ${input.live ? "published " : ""}${input.channel} template "${input.name}"`,
        });
      try {
        return await rendererOf(ctx).renderStored(template, input.data, input.locale);
      } catch (error) {
        if (error instanceof TRPCError) throw error;
        throw badRequest([{ path: ["data"], message: error instanceof Error ? error.message : String(error) }]);
      }
    }),

  /** Queues the published version to one address or number, as a real send (the worker delivers it). */
  testSend: adminProcedure
    .input(
      ref.extend({
        to: z.string().min(1).max(320),
        data: dataSchema.default({}),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.channel === "email" && !emailAddressSchema.safeParse(input.to).success)
        throw badRequest([{ path: ["to"], message: "Invalid email address" }]);
      if (input.channel === "sms" && !/^\+[1-9]\d{7,14}$/.test(input.to))
        throw badRequest([{ path: ["to"], message: "phone number must be in E.164 form, e.g. +919876543210" }]);
      const stored = await resolveTemplate(ctx, input.channel, input.name, [{ path: ["data"], data: input.data }]);
      if (!stored) throw new TRPCError({ code: "NOT_FOUND", message: `publish "${input.name}" before a test send` });
      // A test send is transactional: the operator asked for it, so preferences do not hold it back.
      const queue = await ctx.queue(input.channel === "email" ? EMAIL_QUEUE : SMS_QUEUE);
      const data = { ...input.data, category: "transactional" };
      const result = await queue.push({ type: input.name, to: input.to, data });
      return { queue: queue.name, jobId: result.id, version: stored.version };
    }),
});
