/** Every day of the window, zero-filled, oldest first, so quiet days show as gaps, not as missing. */
export function fillDays(
  points: { day: string; processed: number; failed: number }[],
  { days, now }: { days: number; now: number },
): { day: string; processed: number; failed: number }[] {
  const byDay = new Map(points.map((p) => [p.day, p]));
  const date = new Date(now);
  const today = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    const p = byDay.get(day);
    return { day, processed: p?.processed ?? 0, failed: p?.failed ?? 0 };
  });
}
