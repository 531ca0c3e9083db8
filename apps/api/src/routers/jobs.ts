import type { FoundJob } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { z } from "zod";
import { boundFound, wholeFound } from "../lib/job-view.ts";
import { jobStatusOutput } from "../lib/output-schemas.ts";
import { jobIdSchema, queueNameSchema } from "../lib/schemas.ts";
import { mayRead, notFound } from "../lib/tenancy.ts";
import { adminProcedure, router, serviceProcedure } from "../trpc.ts";

/**
 * Runs a job has had, each counted once: those before a retry from dead letters, those of this
 * round, and for a completed job the run that completed it (its stored copy is the one claimed).
 */
function attemptsOf(found: Pick<FoundJob, "state" | "job">): number {
  const job = found.job;
  if (!job) return 0;
  const prior = typeof job.priorAttempts === "number" ? job.priorAttempts : 0;
  return prior + (job.attempts ?? 0) + (found.state === "completed" ? 1 : 0);
}

export const jobsRouter = router({
  /** State, attempts and last error of one job. */
  get: serviceProcedure
    .meta({ openapi: { method: "GET", path: "/jobs/{id}", tags: ["jobs"], protect: true, summary: "A job's status" } })
    .input(z.object({ queue: queueNameSchema.default(EMAIL_QUEUE), id: jobIdSchema }))
    .output(jobStatusOutput)
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const stored = await queue.getJob(input.id);
      // Another tenant's job is answered exactly like a missing one.
      const found = stored && mayRead(ctx, stored.job?.tenant) ? wholeFound(stored, ctx.deps.config.maxJobBytes) : null;
      if (!found) throw notFound(`no job ${input.id} in ${input.queue}`);
      return {
        queue: input.queue,
        id: input.id,
        state: found.state,
        attempts: attemptsOf(found),
        lastError: found.error ?? found.job?.lastError ?? null,
        reason: found.reason ?? null,
        workerId: found.workerId ?? null,
        /** Delayed: when due; completed: when finished; dead: when it failed. */
        at: found.at ?? null,
        job: found.job,
        raw: found.job ? null : found.raw,
        truncated: found.truncated ?? null,
        bytes: found.bytes ?? null,
      };
    }),

  /**
   * One page of the jobs in one state: pending head first, delayed soonest first (with when each is
   * due), dead and completed newest first, active worker by worker.
   */
  list: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema,
        state: z.enum(["pending", "active", "delayed", "dead", "completed"]),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const page = await queue.jobs({ state: input.state, offset: input.offset, limit: input.limit });
      return { ...page, jobs: page.jobs.map((found) => boundFound(found, ctx.deps.config.maxJobBytes)) };
    }),

  /**
   * Delayed jobs of one kind, soonest first: `retrying` (waiting for their next attempt after a
   * failure, with the error and "attempt n of max") or `scheduled` (delayed by their producer).
   * `maxAttempts` is the job's own limit, else the live workers' (null with no worker to ask).
   */
  delayed: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema,
        kind: z.enum(["retrying", "scheduled"]),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const [page, workers] = await Promise.all([
        queue.delayedJobs({ kind: input.kind, offset: input.offset, limit: input.limit }),
        queue.workers(),
      ]);
      const workerLimit = workers.find((w) => w.alive && w.maxAttempts > 0)?.maxAttempts ?? null;
      return {
        ...page,
        jobs: page.jobs.map((found) => {
          const bounded = boundFound(found, ctx.deps.config.maxJobBytes);
          const job = found.job;
          return {
            ...bounded,
            attempts: job?.attempts ?? 0,
            lastError: typeof job?.lastError === "string" ? job.lastError.slice(0, 2_000) : null,
            maxAttempts: job?.maxAttempts ?? workerLimit,
          };
        }),
      };
    }),

  /** Id, recipient or any payload text across every state (the dashboard's search box). */
  search: adminProcedure
    .input(
      z.object({
        queue: queueNameSchema,
        text: z.string().trim().min(1).max(200),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const queue = await ctx.queue(input.queue, { mustExist: true });
      const found = await queue.search(input.text, { limit: input.limit });
      return found.map((job) => boundFound(job, ctx.deps.config.maxJobBytes));
    }),
});
