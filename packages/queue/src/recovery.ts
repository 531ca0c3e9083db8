// Crash recovery. Every worker holds a lease renewed by heartbeats; when a lease expires, any
// live worker takes the dead worker's in-flight jobs (atomically, see reclaimWorker-6.lua),
// counts the recovery as an attempt, and hands each job back or dead-letters it when its
// attempts are spent, so a job that kills its worker every time cannot loop forever.
import type { RedisConnection } from "./connection.ts";
import { afterFailedAttempt, attemptsAllowed, isExpired, type RetryPolicy } from "./failure.ts";
import { parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import type { Logger } from "./logger.ts";
import type { OutcomeWriter } from "./outcomes.ts";
import { type Held, type Holder, reclaimWorker } from "./scripts.ts";

export interface RecoveryDeps {
  redis: RedisConnection;
  keys: QueueKeys;
  /** The rescuing worker's current epoch: recovered jobs land in its active hash. */
  holder: Holder;
  outcomes: OutcomeWriter;
  policy: RetryPolicy & { maxJobBytes: number; defaultType?: string | undefined };
  log: Logger;
}

/** Recovers every worker whose lease expired; returns how many jobs were handed back or dead-lettered. */
export async function recoverExpiredWorkers(deps: RecoveryDeps): Promise<number> {
  const { redis, keys, holder, log } = deps;
  // Candidates by our clock; the script decides by Redis's.
  const expired = await redis.zrangebyscore(keys.workers, "-inf", Date.now(), "LIMIT", 0, 20);
  let recovered = 0;
  for (const deadId of expired) {
    if (deadId === holder.id) continue;
    const held = await reclaimWorker(redis, {
      workers: keys.workers,
      held: keys.held,
      deadId,
      dead: { active: keys.active(deadId), landing: keys.landing(deadId), info: keys.workerInfo(deadId) },
      own: holder,
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

async function recoverOne(deps: RecoveryDeps, held: Held, deadId: string): Promise<void> {
  const parsed = parseRawJob(held.payload, { maxBytes: deps.policy.maxJobBytes, defaultType: deps.policy.defaultType });
  const error = `worker ${deadId} stopped (lease expired) while running this job`;
  if (!parsed.ok) {
    await deps.outcomes.deadLetterInvalid(held, `${parsed.reason} (found with a dead worker)`, parsed.kind);
    return;
  }
  const now = Date.now();
  const job = afterFailedAttempt(parsed.job, error, now);
  // Past its expiry, or out of attempts: dead-lettered instead of run again.
  const final = isExpired(job, now)
    ? { reason: "expired", error: `${error}; expired before it could run again` }
    : job.attempts >= attemptsAllowed(job, deps.policy)
      ? { reason: "lost", error: `${error}; ${job.attempts} attempts used` }
      : null;
  if (final) {
    await deps.outcomes.deadLetter(held, {
      id: job.id,
      ...final,
      attempts: job.attempts,
      failedAt: now,
      queue: deps.keys.name,
      job,
    });
    return;
  }
  await deps.outcomes.handBack(held, job, { dueAt: 0, statsField: "recovered", error });
}
