// What the overview warns about (issue 15, item 5): the situations an operator woken at 3 a.m.
// must see first. Pure, so it is tested without a browser; the page only draws the list.
import { formatDuration, formatNumber } from "./format.ts";

export interface WarningQueue {
  name: string;
  paused: boolean;
  pending: number;
  workers?: number;
  nextCreatedAt?: number | null;
  urgentWaiting?: boolean;
}

export interface WarningRedis {
  maxmemoryPolicy?: string;
}

export interface RedisHistory {
  /** The engine found no continuity marker although this admin saw one before: the data is gone. */
  dataLostAt: number | null;
  /** When the engine first saw Redis running under a new run id with its data kept. */
  restartedAt: number | null;
}

/** A provider's circuit breaker as the workers last reported it (workers.providers). */
export interface WarningBreaker {
  channel: string;
  provider: string;
  state: string;
  reason?: string | null;
  lastError?: string | null;
  /** When an open breaker lets a probe through. */
  retryAt?: number | null;
}

export interface Warning {
  tone: "error" | "warn" | "info";
  /** Stable, for tests and for keys. */
  kind: "no-worker" | "latency" | "paused-urgent" | "evicting" | "restarted" | "data-lost" | "breaker-open";
  title: string;
  text: string;
}

/** The next job waiting longer than this is worth a line: a minute is long for email or an OTP. */
export const LATENCY_WARN_MS = 60_000;
/** How long a Redis restart stays on the overview. */
export const RESTART_WARN_MS = 60 * 60_000;

export function overviewWarnings(input: {
  queues: WarningQueue[];
  redis: WarningRedis | null;
  history: RedisHistory;
  /** Null when the breaker states could not be read: no warning is better than a wrong one. */
  breakers?: WarningBreaker[] | null;
  now: number;
}): Warning[] {
  const { queues, redis, history, now } = input;
  const out: Warning[] = [];
  if (history.dataLostAt !== null) {
    out.push({
      tone: "error",
      kind: "data-lost",
      title: "Redis lost its data.",
      text: `Redis came back empty ${formatDuration(now - history.dataLostAt)} ago (a restart without persistence, a wiped volume or a failover to an empty replica): jobs queued before it are gone. Check persistence on the Redis page.`,
    });
  }
  const policy = redis?.maxmemoryPolicy;
  if (policy && policy !== "noeviction" && policy !== "unknown") {
    out.push({
      tone: "error",
      kind: "evicting",
      title: "Redis may evict queued jobs.",
      text: `maxmemory-policy is ${policy}; set it to noeviction.`,
    });
  }
  for (const b of input.breakers ?? []) {
    if (b.state !== "open") continue;
    const why = b.reason === "credentials" ? "the provider refused our credentials" : "repeated failures";
    const probe = b.retryAt
      ? ` It lets a probe through ${b.retryAt > now ? `in ${formatDuration(b.retryAt - now)}` : "now"}.`
      : "";
    out.push({
      tone: "error",
      kind: "breaker-open",
      title: `${b.channel} provider ${b.provider} is switched off (circuit breaker open).`,
      text: `Opened after ${why}${b.lastError ? `: ${b.lastError}` : ""}. Its messages go to the next provider of the chain, or wait and retry.${probe} See Workers.`,
    });
  }
  for (const q of queues) {
    if (q.paused && q.urgentWaiting) {
      out.push({
        tone: "error",
        kind: "paused-urgent",
        title: `${q.name} is paused with urgent jobs waiting.`,
        text: "Urgent jobs (OTPs) wait behind the pause too; resume the queue if they must go out.",
      });
    }
    if (!q.paused && q.pending > 0 && (q.workers ?? 0) === 0) {
      out.push({
        tone: "error",
        kind: "no-worker",
        title: `${q.name} has ${formatNumber(q.pending)} pending and no live worker.`,
        text: "Nothing is being delivered from it; start its worker (Procfile) or check why it stopped.",
      });
    }
    const waited = q.pending > 0 && q.nextCreatedAt ? now - q.nextCreatedAt : 0;
    if (waited > LATENCY_WARN_MS) {
      out.push({
        tone: "warn",
        kind: "latency",
        title: `${q.name}: the next job has waited ${formatDuration(waited)}.`,
        text: "Queue latency (the age of the job that runs next) grows when workers fall behind or the queue is paused.",
      });
    }
  }
  if (history.restartedAt !== null && now - history.restartedAt < RESTART_WARN_MS && history.dataLostAt === null) {
    out.push({
      tone: "info",
      kind: "restarted",
      title: `Redis restarted (noticed ${formatDuration(now - history.restartedAt)} ago).`,
      text: "Its data was kept. Jobs that were in flight are recovered by the workers.",
    });
  }
  return out;
}
