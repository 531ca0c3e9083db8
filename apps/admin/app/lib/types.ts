// Shapes the dashboard-wide helpers produce; everything else is typed straight from the API router.

export interface QueueStats {
  name: string;
  paused: boolean;
  pausedReason?: string | null;
  pending: number;
  active: number;
  delayed: number;
  dead: number;
  workers?: number;
  processed?: number;
  failed?: number;
  /** Per-queue health (the API's queues.overview): ok / warning / critical with the reasons. */
  health?: { status: "ok" | "warning" | "critical"; reasons: string[] };
  /** When the next pending job was created (null: none, or a foreign job without a time). */
  nextCreatedAt?: number | null;
  urgentWaiting?: boolean;
}

export interface MinutePoint {
  at: number;
  processed: number;
  failed: number;
}

export interface DayPoint {
  day: string;
  processed: number;
  failed: number;
}

export interface RedisStats {
  version: string;
  usedMemory: number;
  usedMemoryHuman: string;
  keys: number;
  maxmemoryPolicy?: string;
  uptimeSeconds?: number;
}

export interface RecentFailure {
  queue: string;
  id: string;
  type?: string;
  error: string;
  attempts: number;
  at: number;
  final: boolean;
}
