// Every email and SMS attempt lands in the message log (@notify/queue/notifications), and a
// message that was sent or failed for good is announced to the application's status webhooks.
// The wrapper decides "failed for good" by the engine's own rule (decideFailure) so the log says
// what the engine is about to do. A log write that fails is logged and swallowed: a message that
// was sent must not be sent again because its history could not be written. Attempts that end in
// the same event-loop turn (a provider batch's recipients) are written in one script call and
// read the webhook endpoints once; each job still waits for its own entry and fan-out.
import {
  DEFAULT_BACKOFF,
  DEFAULT_MAX_ATTEMPTS,
  decideFailure,
  errorMessage,
  type Handler,
  type Job,
  type JobContext,
  type Logger,
  type RedisConnection,
} from "@notify/queue";
import {
  fanOutMessageEvent,
  type MessageLogOptions,
  type MessageSummary,
  type RecordAttemptInput,
  recordAttempts,
  type WebhookEndpoint,
  webhookEndpointsForFanOut,
} from "@notify/queue/notifications";
import { Coalescer } from "./batching/coalescer.ts";
import type { DeliveryWorkerOptions } from "./worker-settings.ts";

/** What a delivery handler reports: which provider sent it and the provider's id for it. */
export interface SentMessage {
  provider: string;
  providerMessageId?: string;
}

/** `undefined`: the job was not a message itself (seed 003's EmailJob, expanded into messages). */
export type DeliveryHandler = (job: Job, ctx: JobContext) => Promise<SentMessage | undefined>;

export interface MessageLoggingOptions {
  redis: RedisConnection;
  queue: string;
  channel: "email" | "sms";
  log: MessageLogOptions;
  /** The retry policy the worker runs with, to tell a retry from a dead letter. */
  worker: Pick<DeliveryWorkerOptions, "maxAttempts" | "backoff">;
  logger: Logger;
}

export function withMessageLog(send: DeliveryHandler, options: MessageLoggingOptions): Handler {
  const { redis, queue, channel, logger } = options;
  const policy = {
    maxAttempts: options.worker.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: options.worker.backoff ?? DEFAULT_BACKOFF,
  };
  const announces = (outcome: RecordAttemptInput["attempt"]["outcome"]) => outcome === "sent" || outcome === "failed";
  // Awaited before the engine acks: a sent message's status webhooks are queued before its job
  // leaves the worker, so a crash in between re-runs the job (the fan-out is idempotent by id)
  // instead of losing the event. The endpoint list is read alongside the log write: one round trip.
  // Each entry settles with its own fan-out's error (or null), so one failure is logged alone.
  const log = new Coalescer<RecordAttemptInput, Error | null>(
    async (_key, inputs) => {
      const [summaries, endpoints] = await Promise.all([
        recordAttempts(redis, inputs, options.log),
        inputs.some((input) => announces(input.attempt.outcome)) ? webhookEndpointsForFanOut(redis) : undefined,
      ]);
      return Promise.all(
        inputs.map(async (input, index) => {
          const summary = summaries[index];
          if (!endpoints || !summary || !announces(input.attempt.outcome)) return null;
          return announce(input.job, summary, endpoints).then(
            () => null,
            (error: unknown) => (error instanceof Error ? error : new Error(errorMessage(error))),
          );
        }),
      );
    },
    { maxSize: 500, lingerMs: 0 },
  );
  const write = async (job: Job, attempt: RecordAttemptInput["attempt"]) => {
    try {
      const failed = await log.add("", { job, queue, channel, attempt });
      if (failed) throw failed;
    } catch (error) {
      logger.warn({ jobId: job.id, err: errorMessage(error) }, "message log write failed");
    }
  };
  const announce = async (job: Job, summary: MessageSummary, endpoints: WebhookEndpoint[]) => {
    if (summary.status === "sent")
      await fanOutMessageEvent(redis, {
        type: "message.sent",
        eventKey: `${job.id}.sent`,
        message: summary,
        endpoints,
      });
    else if (summary.status === "failed")
      await fanOutMessageEvent(redis, {
        type: "message.failed",
        eventKey: `${job.id}.failed.${summary.attempts}`,
        message: summary,
        endpoints,
      });
  };
  return async (job, ctx) => {
    const startedAt = Date.now();
    let sent: SentMessage | undefined;
    try {
      sent = await send(job, ctx);
    } catch (error) {
      const decision = decideFailure(job, error, policy);
      const outcome = decision.kind === "halt" ? "halted" : decision.kind === "retry" ? "retry" : "failed";
      await write(job, { startedAt, endedAt: Date.now(), outcome, error: errorMessage(error) });
      throw error;
    }
    if (!sent) return;
    await write(job, {
      startedAt,
      endedAt: Date.now(),
      outcome: "sent",
      provider: sent.provider,
      ...(sent.providerMessageId ? { providerMessageId: sent.providerMessageId } : {}),
    });
  };
}
