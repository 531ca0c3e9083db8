// Time buckets shared by the worker (writes) and stats (reads) so both agree on key names.

export const MINUTE_MS = 60_000;
export const MINUTE_TTL_SECONDS = 25 * 3600;
export const DAY_TTL_SECONDS = 91 * 86_400;

export function minuteBucket(now: number): number {
  return Math.floor(now / MINUTE_MS);
}

export function dayStamp(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function doneBucket(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}
