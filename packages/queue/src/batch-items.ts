// Batches built from items with keys of their own (seed 003's EmailJob: one email per contact id).
// Each item is added once by its key, however often the job that adds it runs: it becomes a job
// in the queue or, when it cannot, a failure of the batch with its reason, readable beside the
// batch's progress. Items go in chunks, each chunk one atomic script (addBatchItems-5).
import type { RedisConnection } from "./connection.ts";
import { type Job, serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { addBatchItems } from "./scripts.ts";

const CHUNK = 500;
const BATCH_TTL_SECONDS = 7 * 86_400;
const BATCH_INDEX_CAP = 1_000;

export type BatchItem = { key: string; job: Job } | { key: string; failure: string };

export interface BatchItemsResult {
  queued: number;
  failed: number;
  /** Items added before (a re-run): nothing was done for them. */
  skipped: number;
}

export async function addItemsToBatch(
  redis: RedisConnection,
  keys: QueueKeys,
  batchId: string,
  items: readonly BatchItem[],
  options: { tenant?: string } = {},
): Promise<BatchItemsResult> {
  const result: BatchItemsResult = { queued: 0, failed: 0, skipped: 0 };
  for (let i = 0; i < items.length; i += CHUNK) {
    const triples = items
      .slice(i, i + CHUNK)
      .flatMap((item) =>
        "job" in item ? [item.key, item.job.id, serializeJob(item.job)] : [item.key, "", item.failure],
      );
    const [queued, failed, skipped] = await addBatchItems(redis, {
      keys: [
        keys.pending,
        keys.batch(batchId),
        keys.batchItems(batchId),
        keys.batchItemFailures(batchId),
        keys.batches,
      ],
      now: Date.now(),
      ttlSeconds: BATCH_TTL_SECONDS,
      indexCap: BATCH_INDEX_CAP,
      tenant: options.tenant ?? "",
      batchId,
      triples,
    });
    result.queued += queued;
    result.failed += failed;
    result.skipped += skipped;
  }
  return result;
}

export interface BatchItemFailures {
  /** Items that failed before they became jobs. */
  total: number;
  /** Up to the limit asked for, in no particular order. */
  failures: { item: string; reason: string }[];
}

export async function batchItemFailures(
  redis: RedisConnection,
  keys: QueueKeys,
  batchId: string,
  limit = 100,
): Promise<BatchItemFailures> {
  const key = keys.batchItemFailures(batchId);
  const failures: { item: string; reason: string }[] = [];
  let cursor = "0";
  do {
    const [next, fields] = await redis.hscan(key, cursor, "COUNT", Math.min(Math.max(limit, 10), 1_000));
    for (let i = 0; i + 1 < fields.length && failures.length < limit; i += 2)
      failures.push({ item: fields[i] as string, reason: fields[i + 1] as string });
    cursor = next;
  } while (cursor !== "0" && failures.length < limit);
  return { total: await redis.hlen(key), failures };
}
