// Status webhook endpoints (#14): register, list, pause / resume, delete, send a test event, and
// each endpoint's delivery log and dead letters. A service key manages its own endpoints, which
// receive its own messages' events; the admin manages every endpoint (one it registers receives
// every tenant's). Secrets are shown when an endpoint is created and in `get`, never in lists.
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  queueTestEvent,
  setWebhookEndpointPaused,
  WEBHOOKS_QUEUE,
  type WebhookEndpoint,
  webhookDeliveries,
  webhookEndpointInput,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "../context.ts";
import { boundDeadLetter } from "../lib/job-view.ts";
import { mayRead, notFound } from "../lib/tenancy.ts";
import { router, serviceProcedure } from "../trpc.ts";

const idInput = z.object({ id: z.string().regex(/^we_[A-Za-z0-9_-]{1,40}$/, "not a webhook endpoint id") });
/** Dead letters of one endpoint a page shows at most. */
const DEAD_LETTERS_SHOWN = 50;

function withoutSecret({ secret: _secret, ...endpoint }: WebhookEndpoint) {
  return endpoint;
}

async function owned(ctx: Context, id: string): Promise<WebhookEndpoint> {
  await ctx.ready();
  const endpoint = await getWebhookEndpoint(ctx.deps.redis, id);
  if (!endpoint || !(ctx.caller === "admin" || mayRead(ctx, endpoint.tenant)))
    throw notFound(`no webhook endpoint ${id}`);
  return endpoint;
}

export const webhooksRouter = router({
  /** The event types an endpoint can subscribe to. */
  create: serviceProcedure.input(webhookEndpointInput).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    try {
      return await createWebhookEndpoint(ctx.deps.redis, input, ctx.tenant ?? undefined);
    } catch (error) {
      if (error instanceof RangeError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
      throw error;
    }
  }),

  list: serviceProcedure.query(async ({ ctx }) => {
    await ctx.ready();
    const all = await listWebhookEndpoints(ctx.deps.redis);
    return all.filter((e) => ctx.caller === "admin" || mayRead(ctx, e.tenant)).map(withoutSecret);
  }),

  /** The endpoint (with its secret), its latest deliveries and its dead letters. */
  get: serviceProcedure.input(idInput).query(async ({ ctx, input }) => {
    const endpoint = await owned(ctx, input.id);
    const log = await webhookDeliveries(ctx.deps.redis, endpoint.id);
    const queue = await ctx.queue(WEBHOOKS_QUEUE);
    const dead = [];
    for await (const entry of queue.dlq.scan()) {
      if (entry.job?.data?.endpointId !== endpoint.id) continue;
      dead.push(boundDeadLetter(entry, ctx.deps.config.maxJobBytes));
      if (dead.length >= DEAD_LETTERS_SHOWN) break;
    }
    return { endpoint, ...log, deadLetters: dead };
  }),

  setPaused: serviceProcedure.input(idInput.extend({ paused: z.boolean() })).mutation(async ({ ctx, input }) => {
    await owned(ctx, input.id);
    const next = await setWebhookEndpointPaused(
      ctx.deps.redis,
      input.id,
      input.paused ? { reason: `paused by ${ctx.caller === "admin" ? "an operator" : "the application"}` } : null,
    );
    if (!next) throw notFound(`no webhook endpoint ${input.id}`);
    return withoutSecret(next);
  }),

  delete: serviceProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await owned(ctx, input.id);
    return { deleted: await deleteWebhookEndpoint(ctx.deps.redis, input.id) };
  }),

  /** Queues a `webhook.test` event to this endpoint through the webhooks queue, like any other. */
  sendTest: serviceProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    const endpoint = await owned(ctx, input.id);
    return { eventId: await queueTestEvent(ctx.deps.redis, endpoint) };
  }),
});
