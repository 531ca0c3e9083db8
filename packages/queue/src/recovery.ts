// Crash recovery. Every worker holds a lease renewed by heartbeats; when a lease expires, any
// live worker takes the dead worker's in-flight jobs (atomically, see reclaimWorker-5.lua),
// counts the recovery as an attempt, and hands each job back or dead-letters it when its
// attempts are spent, so a job that kills its worker every time cannot loop forever.
import type { RedisConnection } from "./connection.ts";
import { afterFailedAttempt, attemptsAllowed, type RetryPolicy } from "./failure.ts";
import { parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import type { Logger } from "./logger.ts";
import type { OutcomeWriter } from "./outcomes.ts";
import { type Held, reclaimWorker } from "./scripts.ts";

export interface RecoveryDeps {
  redis: RedisConnection;
  keys: QueueKeys;
  workerId: string;
  active: string;
  outcomes: OutcomeWriter;
  policy: RetryPolicy;
  log: Logger;
}

/** Recovers every worker whose lease expired; returns how many jobs were handed back or dead-lettered. */
export async function recoverExpiredWorkers(deps: RecoveryDeps): Promise<number> {
  const { redis, keys, workerId, log } = deps;
  const now = Date.now();
  const expired = await redis.zrangebyscore(keys.workers, "-inf", now, "LIMIT", 0, 20);
  let recovered = 0;
  for (const deadId of expired) {
    if (deadId === workerId) continue;
    const held = await reclaimWorker(redis, {
      workers: keys.workers,
      deadActive: keys.active(deadId),
      ownActive: deps.active,
      deadInfo: keys.workerInfo(deadId),
      deadLanding: keys.landing(deadId),
      deadId,
      now,
    });
    if (held.length > 0)
      log.warn({ queue: keys.name, deadWorker: deadId, jobs: held.length }, "recovering jobs of a dead worker");
    for (const job of held) {
      await recoverOne(deps, job, deadId);
      recovered++;
    }
  }
  return recovered;
}

async function recoverOne(deps: RecoveryDeps, { field, payload }: Held, deadId: string): Promise<void> {
  const parsed = parseRawJob(payload);
  const error = `worker ${deadId} stopped (lease expired) while running this job`;
  if (!parsed.ok) {
    await deps.outcomes.deadLetterInvalid(field, payload, `${parsed.reason} (found with a dead worker)`);
    return;
  }
  const job = afterFailedAttempt(parsed.job, error, Date.now());
  if (job.attempts >= attemptsAllowed(job, deps.policy)) {
    await deps.outcomes.deadLetter(field, {
      id: job.id,
      reason: "lost",
      error: `${error}; ${job.attempts} attempts used`,
      attempts: job.attempts,
      failedAt: Date.now(),
      queue: deps.keys.name,
      job,
    });
    return;
  }
  await deps.outcomes.handBack(field, payload, job, { dueAt: 0, statsField: "recovered", error });
}
