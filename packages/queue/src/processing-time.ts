// Processing time of completed jobs (handler start to its return), kept in Redis as histogram
// buckets so every worker adds to the same numbers: the ack script bumps `t:<le>` fields (jobs at
// or under le seconds, not cumulative) and `tus` (sum in microseconds) in the queue's stats hash
// (all time: /metrics' histogram) and in each minute hash (windows: p50/p95 in queues.report).
// A fixed set of buckets keeps that memory bounded whatever the traffic.

/** Upper bounds in seconds, Prometheus style; a job slower than the last lands in +Inf. */
export const PROCESSING_BUCKETS_SECONDS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
] as const;

const INF = "+Inf";
const fieldOf = (le: string) => `t:${le}`;
export const PROCESSING_TIME_FIELDS = [...PROCESSING_BUCKETS_SECONDS.map(String), INF].map(fieldOf);

/** The field of each finite bucket, built once: an ack batch looks one up per job. */
const FINITE_FIELDS = PROCESSING_BUCKETS_SECONDS.map((le) => fieldOf(String(le)));

export function bucketFieldOf(durationMs: number): string {
  const seconds = durationMs / 1000;
  for (let i = 0; i < PROCESSING_BUCKETS_SECONDS.length; i++) {
    if (seconds <= (PROCESSING_BUCKETS_SECONDS[i] as number)) return FINITE_FIELDS[i] as string;
  }
  return fieldOf(INF);
}

/** What one ack batch adds: bucket field -> jobs, and the sum in whole microseconds. */
export function tallyDurations(durationsMs: readonly number[]): { buckets: [string, number][]; sumUs: number } {
  const counts = new Map<string, number>();
  let sumUs = 0;
  for (const ms of durationsMs) {
    const field = bucketFieldOf(ms);
    counts.set(field, (counts.get(field) ?? 0) + 1);
    sumUs += Math.max(0, Math.round(ms * 1000));
  }
  return { buckets: [...counts], sumUs };
}

export interface ProcessingHistogram {
  /** Cumulative, Prometheus style: jobs that took at most `le` seconds (last: +Inf, every job). */
  buckets: { le: number; count: number }[];
  count: number;
  sumSeconds: number;
}

/** Reads the histogram out of a hash's fields (stats or a sum of minute hashes). */
export function histogramFrom(fields: Record<string, string | number | undefined>): ProcessingHistogram {
  let running = 0;
  const bounds = [...PROCESSING_BUCKETS_SECONDS, Number.POSITIVE_INFINITY];
  const buckets = bounds.map((le) => {
    running += Number(fields[fieldOf(Number.isFinite(le) ? String(le) : INF)] ?? 0);
    return { le, count: running };
  });
  return { buckets, count: running, sumSeconds: Number(fields.tus ?? 0) / 1e6 };
}

/**
 * The q-quantile (0..1) in seconds, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; null with no jobs. A quantile in +Inf reports the last finite bound.
 */
export function quantileOf(histogram: ProcessingHistogram, q: number): number | null {
  if (histogram.count === 0) return null;
  const rank = q * histogram.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket === 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
