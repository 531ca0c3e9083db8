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
  return new Date(at).toISOString().replace("T", " ").slice(0, 19);
}

const EMAIL = /([A-Za-z0-9._%+-])([A-Za-z0-9._%+-]*)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONE = /\+?\d[\d\s-]{6,}\d/g;

/** Addresses and phone numbers are personal data: shown masked until an admin asks to reveal them. */
export function maskText(text: string): string {
  return text
    .replace(
      EMAIL,
      (_all, first: string, rest: string, domain: string) =>
        `${first}${"*".repeat(Math.min(rest.length, 6))}@${domain}`,
    )
    .replace(PHONE, (digits) => {
      const plain = digits.replace(/[\s-]/g, "");
      if (plain.length < 8) return digits;
      return `${plain.slice(0, 3)}${"*".repeat(plain.length - 5)}${plain.slice(-2)}`;
    });
}

export function maskValue(value: unknown): unknown {
  if (typeof value === "string") return maskText(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  }
  return value;
}

export function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(raw ?? "", 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}
