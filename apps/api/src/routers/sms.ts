import { SMS_QUEUE, smsPushDefaults } from "@notify/queue/notifications";
import { z } from "zod";
import { assertChannelOn } from "../lib/channels.ts";
import { assertJobBounds } from "../lib/input-bounds.ts";
import { heldOptions, quietRelease } from "../lib/quiet-release.ts";
import { sendSmsInput, toPushOptions } from "../lib/schemas.ts";
import { resolveTemplate, withCategory } from "../lib/template-sends.ts";
import { tenantOption } from "../lib/tenancy.ts";
import { timed } from "../metrics/registry.ts";
import { router, serviceProcedure } from "../trpc.ts";

export const smsRouter = router({
  send: serviceProcedure
    .meta({ openapi: { method: "POST", path: "/sms/send", tags: ["sms"], protect: true, summary: "Send one SMS" } })
    .input(sendSmsInput)
    .output(
      z.object({
        queue: z.string(),
        jobId: z.string(),
        duplicate: z.boolean(),
        urgent: z.boolean(),
        heldUntil: z.number().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      assertChannelOn(ctx.deps.config, SMS_QUEUE);
      await resolveTemplate(ctx, "sms", input.template, [{ path: ["data"], data: input.data }]);
      const data = withCategory(input.data, input.options?.category);
      const job = { type: input.template, to: input.to, data };
      assertJobBounds(job, ctx.deps.config.maxJobBytes);
      const queue = await ctx.queue(SMS_QUEUE);
      const defaults = smsPushDefaults(input.template, input.options);
      const heldUntil = await quietRelease(ctx, {
        channel: "sms",
        template: input.template,
        to: input.to,
        data,
        options: input.options,
      });
      const options = heldOptions(toPushOptions(input.options, ctx.tenant), heldUntil);
      const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: SMS_QUEUE }, () =>
        queue.push(job, { ...options, ...tenantOption(ctx), ...defaults }),
      );
      return {
        queue: SMS_QUEUE,
        jobId: result.id,
        duplicate: result.duplicate,
        urgent: defaults.urgent,
        ...(heldUntil ? { heldUntil } : {}),
      };
    }),
});
