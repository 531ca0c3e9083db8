// The shapes the pages render. They follow the engine's outputs as the API passes them through.

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
  retried?: number;
  deadLettered?: number;
  recovered?: number;
  duplicates?: number;
  schedules?: number;
}

export interface JobData {
  id?: string;
  type?: string;
  to?: string;
  data?: unknown;
  attempts?: number;
  [key: string]: unknown;
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
  peakMemoryHuman?: string;
  keys: number;
  connectedClients: number;
  uptimeSeconds: number;
  maxMemory?: number;
  role?: string;
}

export interface WorkerInfo {
  id: string;
  queue?: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: number;
  lastBeatAt: number;
  leaseUntil?: number;
  jobs: JobData[];
}

export interface DeadLetter {
  id: string;
  job: JobData | null;
  raw?: string;
  error: string;
  reason: string;
  attempts: number;
  failedAt: number;
  firstEnqueuedAt?: number;
}

export interface RecentFailure {
  queue?: string;
  id: string;
  type?: string;
  error: string;
  attempts: number;
  at: number;
  final: boolean;
}

export interface JobDetail {
  state: string;
  job: JobData;
  error?: string | null;
  attempts: number;
  workerId?: string | null;
  runAt?: number | null;
  [key: string]: unknown;
}

export interface SearchHit {
  queue: string;
  state: string;
  id: string;
  job: JobData | null;
  error?: string | null;
}

export interface BatchInfo {
  batchId: string;
  queue?: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  createdAt: number;
}

export interface ScheduleInfo {
  name: string;
  cron: string;
  tz?: string | null;
  job: JobData;
  nextRunAt?: number | null;
  lastRunAt?: number | null;
}

export interface TemplatePreview {
  channel: "email" | "sms";
  name: string;
  subject?: string;
  html?: string;
  text: string;
  error?: string;
}
