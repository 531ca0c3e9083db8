// Display helpers shared by every page; pure so the browser bundle can use them too.

const numberFormat = new Intl.NumberFormat("en-US");

export function formatNumber(n: number | undefined | null): string {
  return numberFormat.format(n ?? 0);
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatAgo(at: number | null | undefined, now = Date.now()): string {
  if (!at) return "—";
  const diff = now - at;
  if (diff < 0) return `in ${formatDuration(-diff)}`;
  if (diff < 1000) return "just now";
  return `${formatDuration(diff)} ago`;
}

export function formatTime(at: number | null | undefined): string {
  if (!at) return "—";
  // Server and browser may sit in different zones: the zone is part of the time, not a guess.
  return `${new Date(at).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(raw ?? "", 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}
