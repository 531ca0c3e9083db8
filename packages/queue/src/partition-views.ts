// How a partitioned queue reads as one logical queue: each view asks every partition (a plain,
// single-slot Queue) and sums or merges the answers. Nothing here writes; nothing needs a
// cross-slot command, so it works the same on standalone Redis and on a Cluster.
import type { FoundJob, JobPage, JobState } from "./inspect.ts";
import type { Job } from "./job.ts";
import type { BatchProgress, Queue } from "./queue.ts";
import type { FailureRecord, QueueStats, SeriesPoint, WorkerInfo } from "./stats.ts";

const COUNTERS = [
  "pending",
  "active",
  "awaitingRecovery",
  "delayed",
  "dead",
  "workers",
  "schedules",
  "processed",
  "failed",
  "retried",
  "deadLettered",
  "recovered",
  "duplicates",
  "lateAcks",
] as const;

export async function summedStats(name: string, parts: readonly Queue[]): Promise<QueueStats> {
  const all = await Promise.all(parts.map((part) => part.stats()));
  const paused = all.find((s) => s.paused);
  const total: QueueStats = {
    ...(all[0] as QueueStats),
    name,
    partitions: parts.length,
    paused: paused !== undefined,
    pausedReason: paused?.pausedReason ?? null,
  };
  for (const counter of COUNTERS) total[counter] = all.reduce((sum, s) => sum + s[counter], 0);
  return total;
}

export async function summedBatch(parts: readonly Queue[], batchId: string): Promise<BatchProgress | null> {
  const found = (await Promise.all(parts.map((part) => part.batch(batchId)))).filter(
    (b): b is BatchProgress => b !== null,
  );
  const [first] = found;
  if (!first) return null;
  const sum = (key: "total" | "done" | "failed" | "pending") => found.reduce((total, b) => total + b[key], 0);
  const created = found.map((b) => b.createdAt).filter((at): at is number => at !== null);
  const counters: Record<string, number> = {};
  for (const b of found)
    for (const [name, value] of Object.entries(b.counters)) counters[name] = (counters[name] ?? 0) + value;
  return {
    batchId,
    total: sum("total"),
    done: sum("done"),
    failed: sum("failed"),
    pending: sum("pending"),
    createdAt: created.length > 0 ? Math.min(...created) : null,
    counters,
    tenant: first.tenant,
  };
}

/** Series of the same length and buckets from every partition, added point by point. */
export function addSeries<T extends { processed: number; failed: number }>(series: T[][]): T[] {
  const [first = []] = series;
  return first.map((point, i) => ({
    ...point,
    processed: series.reduce((sum, s) => sum + (s[i]?.processed ?? 0), 0),
    failed: series.reduce((sum, s) => sum + (s[i]?.failed ?? 0), 0),
  }));
}

export async function summedMetrics(parts: readonly Queue[], minutes: number): Promise<SeriesPoint[]> {
  return addSeries(await Promise.all(parts.map((part) => part.metrics({ minutes }))));
}

export async function summedHistory(
  parts: readonly Queue[],
  days: number,
): Promise<{ day: string; processed: number; failed: number }[]> {
  return addSeries(await Promise.all(parts.map((part) => part.history({ days }))));
}

/** Newest first across partitions. */
export async function mergedFailures(parts: readonly Queue[], count: number): Promise<FailureRecord[]> {
  const all = (await Promise.all(parts.map((part) => part.recentFailures(count)))).flat();
  return all.sort((a, b) => b.at - a.at).slice(0, count);
}

export async function mergedCompleted(
  parts: readonly Queue[],
  count: number,
): Promise<{ job: Job; finishedAt: number }[]> {
  const all = (await Promise.all(parts.map((part) => part.recentCompleted(count)))).flat();
  return all.sort((a, b) => b.finishedAt - a.finishedAt).slice(0, count);
}

export async function allWorkers(parts: readonly Queue[]): Promise<WorkerInfo[]> {
  return (await Promise.all(parts.map((part) => part.workers()))).flat();
}

/**
 * The next jobs workers will take, one from each partition in turn: partitions are consumed side
 * by side, so there is no single global order, only each partition's own.
 */
export async function interleavedPeek(parts: readonly Queue[], count: number): Promise<FoundJob[]> {
  const heads = await Promise.all(parts.map((part) => part.peek(count)));
  const out: FoundJob[] = [];
  for (let i = 0; out.length < count && heads.some((head) => i < head.length); i++) {
    for (const head of heads) {
      const job = head[i];
      if (job && out.length < count) out.push(job);
    }
  }
  return out;
}

export async function firstFound<T>(
  parts: readonly Queue[],
  find: (part: Queue) => Promise<T | null>,
): Promise<T | null> {
  for (const found of await Promise.all(parts.map(find))) if (found !== null) return found;
  return null;
}

/** One page over the partitions laid end to end: partition 0's jobs, then partition 1's, and so on. */
export async function pagedJobs(
  parts: readonly Queue[],
  options: { state: JobState; offset?: number; limit?: number },
): Promise<JobPage> {
  const limit = Math.min(Math.max(1, options.limit ?? 50), 1_000);
  let skip = Math.max(0, options.offset ?? 0);
  const totals = (await Promise.all(parts.map((part) => part.jobs({ state: options.state, limit: 1 })))).map(
    (page) => page.total,
  );
  const jobs: FoundJob[] = [];
  for (const [i, part] of parts.entries()) {
    const total = totals[i] ?? 0;
    if (skip >= total) {
      skip -= total;
      continue;
    }
    if (jobs.length >= limit) break;
    const page = await part.jobs({ state: options.state, offset: skip, limit: limit - jobs.length });
    jobs.push(...page.jobs);
    skip = 0;
  }
  return { state: options.state, jobs, total: totals.reduce((sum, t) => sum + t, 0) };
}

export async function mergedBatches(
  parts: readonly Queue[],
  { offset = 0, limit = 20 }: { offset?: number; limit?: number },
): Promise<BatchProgress[]> {
  // Each partition indexes the batches it got jobs of; the newest first across all of them.
  const lists = await Promise.all(parts.map((part) => part.batches({ offset: 0, limit: offset + limit })));
  const byId = new Map<string, number>();
  for (const batch of lists.flat())
    byId.set(batch.batchId, Math.max(byId.get(batch.batchId) ?? 0, batch.createdAt ?? 0));
  const ids = [...byId.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const all = await Promise.all(ids.slice(offset, offset + limit).map((id) => summedBatch(parts, id)));
  return all.filter((b): b is BatchProgress => b !== null);
}
