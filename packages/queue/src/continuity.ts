// Did Redis restart, and did it keep its data? (issue 15, item 5). A restart changes INFO's
// run_id; a restart that lost the data (no persistence, a wiped volume, a failover to an empty
// replica) also loses this marker, which the engine writes once and rewrites on each new run_id.
// The marker is one small key without a TTL: bounded memory.
import { adminKeys } from "./admin-keys.ts";
import type { RedisConnection } from "./connection.ts";
import { redisInfo } from "./redis-info.ts";

export interface Continuity {
  runId: string;
  uptimeSeconds: number;
  /**
   * "same": the marker names this run; "restarted": it names an earlier run, so Redis restarted
   * with its data; "missing": there was no marker (a first look, or a restart that lost the data;
   * the caller tells them apart by whether it saw a marker before).
   */
  marker: "same" | "restarted" | "missing";
  /** The run the marker named before this look, for "restarted". */
  previousRunId: string | null;
  /**
   * When a look first found this run replacing an earlier one (kept in the marker, so every
   * process that looks later sees it too); null when no restart was seen.
   */
  restartedAt: number | null;
}

interface Marker {
  runId: string;
  at: number;
  restartedAt?: number;
}

export async function checkContinuity(redis: RedisConnection, options: { prefix?: string } = {}): Promise<Continuity> {
  const key = adminKeys(options.prefix).continuity;
  const [info, raw] = await Promise.all([redisInfo(redis), redis.get(key)]);
  let stored: Marker | null = null;
  try {
    stored = raw ? (JSON.parse(raw) as Marker) : null;
  } catch {
    stored = null;
  }
  const base = { runId: info.runId, uptimeSeconds: info.uptimeSeconds };
  if (stored && stored.runId === info.runId) {
    const restartedAt = typeof stored.restartedAt === "number" ? stored.restartedAt : null;
    return { ...base, marker: "same", previousRunId: null, restartedAt };
  }
  const now = Date.now();
  const restartedAt = stored ? now : undefined;
  await redis.set(
    key,
    JSON.stringify({ runId: info.runId, at: now, ...(restartedAt ? { restartedAt } : {}) } satisfies Marker),
  );
  if (stored) return { ...base, marker: "restarted", previousRunId: String(stored.runId), restartedAt: now };
  return { ...base, marker: "missing", previousRunId: null, restartedAt: null };
}
