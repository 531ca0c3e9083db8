import { SMS_QUEUE, type SmsTemplate, URGENT_SMS_TEMPLATES } from "@notify/queue/notifications";
import { sendSmsInput, toPushOptions } from "../lib/schemas.ts";
import { timed } from "../metrics/registry.ts";
import { router, serviceProcedure } from "../trpc.ts";

export const smsRouter = router({
  send: serviceProcedure.input(sendSmsInput).mutation(async ({ ctx, input }) => {
    const queue = await ctx.queue(SMS_QUEUE);
    // OTPs overtake bulk SMS unless the producer says otherwise.
    const urgent = input.options?.urgent ?? URGENT_SMS_TEMPLATES.has(input.template as SmsTemplate);
    const result = await timed(ctx.deps.metrics.enqueueDuration, { queue: SMS_QUEUE }, () =>
      queue.push({ type: input.template, to: input.to, data: input.data }, { ...toPushOptions(input.options), urgent }),
    );
    return { queue: SMS_QUEUE, jobId: result.id, duplicate: result.duplicate, urgent };
  }),
});
