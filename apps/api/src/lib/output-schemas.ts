// What the read procedures answer, as zod schemas: the OpenAPI document (http/openapi.ts) is
// generated from them, and tRPC checks every answer against them. Figures the API computes are
// described exactly. A stored job or dead letter is passed on as it was stored (a job pushed by
// redis-cli may lack `attempts`, a dead letter written by another tool may lack anything), so it
// is only checked to be an object: a strict schema would turn one odd entry into a 500 for a
// whole page. Its documented shape comes from the engine's envelope schema.
import { type DeadLetter, type Job, jobEnvelopeSchema } from "@notify/queue";
import { z } from "zod";
import type { Truncation } from "./job-view.ts";

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/** A stored value passed on as it is: checked to be an object, documented as `shape`. */
function stored<T>(shape: z.ZodType, description: string) {
  const { $schema: _, ...documented } = z.toJSONSchema(shape, { io: "input", unrepresentable: "any" });
  return z.custom<T>(isObject).meta({
    description,
    override: ({ jsonSchema }) => {
      Object.assign(jsonSchema, documented);
    },
  });
}

const job = stored<Job>(jobEnvelopeSchema, "The job envelope as stored (foreign producers may omit optional fields).");

const truncation = {
  truncated: z.enum(["too_large", "too_deep"]).optional(),
  bytes: z.number().optional(),
};

export const jobStatusOutput = z.object({
  queue: z.string(),
  id: z.string(),
  state: z.enum(["pending", "active", "delayed", "dead", "completed"]),
  attempts: z.number(),
  lastError: z.string().nullable(),
  /** Why a dead job is dead (failed, exhausted, invalid, too_large, expired, lost, suppressed). */
  reason: z.string().nullable(),
  workerId: z.string().nullable(),
  /** Delayed: when due; completed: when finished; dead: when it failed (ms since the epoch). */
  at: z.number().nullable(),
  job: job.nullable(),
  /** The stored text, when it does not parse as a job. */
  raw: z.string().nullable(),
  truncated: truncation.truncated.nullable(),
  bytes: z.number().nullable(),
});

export const batchOutput = z.object({
  batchId: z.string(),
  total: z.number(),
  /** Jobs of the batch that were sent (handled without error). */
  sent: z.number(),
  failed: z.number(),
  pending: z.number(),
  delivered: z.number(),
  /** Unique opens: recipients who opened. */
  opened: z.number(),
  clicked: z.number(),
  bounced: z.number(),
  createdAt: z.number().nullable(),
  tenant: z.string().nullable(),
  /** Seed 003's EmailJob: contacts that never became an email (unknown, no address), with why. */
  contactFailures: z.object({
    total: z.number(),
    failures: z.array(z.object({ contactId: z.string(), reason: z.string() })),
  }),
});

export const emailEventStatsOutput = z.object({
  delivered: z.number(),
  uniqueOpens: z.number(),
  opens: z.number(),
  clicked: z.number(),
  bounced: z.number(),
  dropped: z.number(),
  spamReports: z.number(),
  unsubscribed: z.number(),
});

// The processing-time histogram is left out: its last bucket's bound is +Inf, which JSON cannot
// carry (it is exported as a Prometheus histogram on /metrics and summarised by queues.report).
export const queueStatsOutput = z.object({
  name: z.string(),
  /** One logical queue over this many partitions (hash slots); 1 for a plain queue. */
  partitions: z.number(),
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  /** Waiting to run now: the pending list and the prioritized lane. */
  pending: z.number(),
  /** Of `pending`, jobs with a priority level (1-10). */
  prioritized: z.number(),
  /** When the job that runs next was created (its age is the queue's latency), or null. */
  nextCreatedAt: z.number().nullable(),
  /** The job that runs next is urgent. */
  urgentWaiting: z.boolean(),
  /** Jobs held by any worker, live or awaiting recovery after its lease expired. */
  active: z.number(),
  awaitingRecovery: z.number(),
  delayed: z.number(),
  dead: z.number(),
  /** Workers with a live lease. */
  workers: z.number(),
  schedules: z.number(),
  processed: z.number(),
  failed: z.number(),
  retried: z.number(),
  deadLettered: z.number(),
  recovered: z.number(),
  duplicates: z.number(),
  /** Acks that arrived after the lease was lost: jobs that may have run twice. */
  lateAcks: z.number(),
});

const deadLetterShape = z.object({
  id: z.string(),
  reason: z.string(),
  error: z.string(),
  attempts: z.number(),
  failedAt: z.number(),
  queue: z.string(),
  job: jobEnvelopeSchema.nullable(),
  raw: z.string().optional(),
  rawBytes: z.number().optional(),
  workerId: z.string().optional(),
  /** The exact stored entry: what a retry or delete names. */
  entry: z.string(),
  ...truncation,
});

export const deadLetterPageOutput = z.object({
  total: z.number(),
  entries: z.array(
    stored<DeadLetter & Truncation>(deadLetterShape, "A dead letter: the job, why it failed, and its stored entry."),
  ),
});
