// What the API returns of a stored job is bounded too. A job written straight into Redis may be
// nested deeper than a response can serialize (JSON.stringify overflows its stack near 30,000
// levels) or be megabytes long:
// - a parsed job nested deeper than SERIALIZABLE_DEPTH is never returned as an object (its raw
//   text is, which any depth can serialize);
// - one job (jobs.get) comes whole, so an operator can see and download it;
// - in lists (jobs.list, jobs.search, queues.peek, dlq.*) a job over MAX_JOB_BYTES is a summary
//   (its top-level fields, no data) and its raw text a 4 KB prefix, with `truncated` and `bytes`,
//   so a page of 50 such jobs stays small. Lists only ever show id, type, recipient and attempts.
import type { DeadLetter, FoundJob, Job } from "@notify/queue";
import { jsonTextDepth, MAX_JOB_DEPTH, TOO_LARGE_PREFIX_BYTES, utf8Bytes, valueDepth } from "@notify/queue";

/** Deepest parsed job a response carries as an object (the engine's inspection parses to 5,000). */
export const SERIALIZABLE_DEPTH = 5_000;
/** Longest top-level string a list summary keeps. */
const SUMMARY_TEXT = 1_000;

export interface Truncation {
  /** Set when the stored job is over a bound; in lists `raw` is then only its first 4 KB. */
  truncated?: "too_large" | "too_deep";
  /** Size of the whole stored text, when truncated. */
  bytes?: number;
}

/** The envelope's own fields (id, type, to, attempts, ...) without data or anything nested. */
function summary(job: Job): Job {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(job)) {
    if (typeof value === "string") kept[key] = value.slice(0, SUMMARY_TEXT);
    else if (typeof value === "number" || typeof value === "boolean") kept[key] = value;
  }
  return { ...kept, id: job.id, type: job.type, attempts: job.attempts ?? 0, data: {} };
}

function sizeOf(raw: string): number {
  return utf8Bytes(raw);
}

interface Measured {
  job: Job | null;
  truncated?: Truncation["truncated"];
  bytes: number;
  large: boolean;
}

function measure(job: Job | null, raw: string, maxBytes: number): Measured {
  const bytes = raw.length * 3 > maxBytes ? sizeOf(raw) : raw.length;
  const large = bytes > maxBytes;
  if (job && valueDepth(job, SERIALIZABLE_DEPTH) > SERIALIZABLE_DEPTH)
    return { job: null, truncated: "too_deep", bytes, large };
  if (!job && jsonTextDepth(raw, MAX_JOB_DEPTH) > MAX_JOB_DEPTH) return { job, truncated: "too_deep", bytes, large };
  return { job, ...(large ? { truncated: "too_large" as const } : {}), bytes, large };
}

function marks(m: Measured): Truncation {
  return m.truncated ? { truncated: m.truncated, bytes: m.bytes } : {};
}

/** One job, whole (jobs.get): only an object too deep to serialize is left to its raw text. */
export function wholeFound(found: FoundJob, maxBytes: number): FoundJob & Truncation {
  const m = measure(found.job, found.raw, maxBytes);
  return { ...found, job: m.job, ...marks(m) };
}

/** A job in a list: bounded in depth and in size. */
export function boundFound(found: FoundJob, maxBytes: number): FoundJob & Truncation {
  const m = measure(found.job, found.raw, maxBytes);
  if (!m.large && m.job === found.job) return m.truncated ? { ...found, ...marks(m) } : found;
  return {
    ...found,
    job: m.job && m.large ? summary(m.job) : m.job,
    raw: m.large ? found.raw.slice(0, TOO_LARGE_PREFIX_BYTES) : found.raw,
    ...marks(m),
  };
}

export function boundDeadLetter(dead: DeadLetter, maxBytes: number): DeadLetter & Truncation {
  const m = measure(dead.job, dead.entry, maxBytes);
  if (!m.large && m.job === dead.job) return m.truncated ? { ...dead, ...marks(m) } : dead;
  const prefix = (text: string | undefined) => (m.large ? text?.slice(0, TOO_LARGE_PREFIX_BYTES) : text);
  return {
    ...dead,
    job: m.job && m.large ? summary(m.job) : m.job,
    entry: prefix(dead.entry) ?? "",
    ...(dead.raw !== undefined ? { raw: prefix(dead.raw) } : {}),
    ...marks(m),
  };
}
