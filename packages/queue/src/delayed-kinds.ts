// The delayed set holds two kinds of job: retries waiting out their backoff after a failed attempt,
// and jobs a producer delayed (or scheduled). Both share one sorted set, so the promotion script
// stays one; they are told apart by what a failed attempt writes on the job (failure.ts:
// afterFailedAttempt sets failedAt and lastError; a retry from dead letters clears both).
import type { RedisConnection } from "./connection.ts";
import type { FoundJob } from "./inspect.ts";
import { type Job, parseRawJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";

export type DelayedKind = "retrying" | "scheduled";

export interface DelayedKindPage {
  kind: DelayedKind;
  /** Matching jobs among those scanned. */
  total: number;
  jobs: FoundJob[];
  /** False when the delayed set is longer than one listing scans: total counts the soonest part only. */
  complete: boolean;
}

const CHUNK = 1_000;
/** The soonest entries one listing reads at most, so a huge delayed set cannot stall the dashboard. */
export const MAX_DELAYED_SCANNED = 20_000;
const INSPECTION_LIMITS = { maxBytes: Number.POSITIVE_INFINITY, maxDepth: 5_000 };

/** True for a job waiting for its next attempt after a failure (not one a producer delayed). */
export function isRetryWait(job: Pick<Job, "failedAt"> | null): boolean {
  return typeof job?.failedAt === "number";
}

function parsed(raw: string): Job | null {
  const result = parseRawJob(raw, INSPECTION_LIMITS);
  return result.ok ? result.job : null;
}

/** The kind of one delayed entry; `job` is parsed only when it had to be to tell. */
function kindOf(raw: string): { kind: DelayedKind; job?: Job | null } {
  // Only an entry that spells failedAt somewhere can be a retry; the others need no parse to tell.
  if (!raw.includes('"failedAt"')) return { kind: "scheduled" };
  const job = parsed(raw);
  return { kind: isRetryWait(job) ? "retrying" : "scheduled", job };
}

/** One page of the delayed jobs of one kind, soonest first, with how many of that kind wait. */
export async function listDelayedKind(
  redis: RedisConnection,
  keys: QueueKeys,
  { kind, offset = 0, limit = 50 }: { kind: DelayedKind; offset?: number; limit?: number },
): Promise<DelayedKindPage> {
  const jobs: FoundJob[] = [];
  let total = 0;
  let complete = true;
  for (let start = 0; ; start += CHUNK) {
    if (start >= MAX_DELAYED_SCANNED) {
      complete = (await redis.zcard(keys.delayed)) <= start;
      break;
    }
    const chunk = await redis.zrange(keys.delayed, start, start + CHUNK - 1, "WITHSCORES");
    for (let i = 0; i < chunk.length; i += 2) {
      const raw = chunk[i] as string;
      const found = kindOf(raw);
      if (found.kind !== kind) continue;
      if (total >= offset && jobs.length < limit) {
        const job = found.job === undefined ? parsed(raw) : found.job;
        jobs.push({ state: "delayed", job, raw, at: Number(chunk[i + 1]) });
      }
      total++;
    }
    if (chunk.length < CHUNK * 2) break;
  }
  return { kind, total, jobs, complete };
}
