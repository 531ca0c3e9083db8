// What this admin process remembers about Redis between page loads: whether it ever saw the
// engine's continuity marker, so a marker that vanished reads as lost data, not as a first look.
// Per process and in memory on purpose: a restarted admin starts by looking again.
import type { RedisHistory } from "./warnings.ts";

/** A data loss stays on the overview this long. */
const DATA_LOSS_SHOWN_MS = 60 * 60_000;

let sawMarker = false;
let dataLostAt: number | null = null;

export function noteContinuity(
  seen: { marker: "same" | "restarted" | "missing"; restartedAt: number | null } | null,
  now = Date.now(),
): RedisHistory {
  if (seen?.marker === "missing" && sawMarker) dataLostAt = now;
  if (seen) sawMarker = true;
  if (dataLostAt !== null && now - dataLostAt > DATA_LOSS_SHOWN_MS) dataLostAt = null;
  return { dataLostAt, restartedAt: seen?.restartedAt ?? null };
}
