// GET /health (seed 000's health checks): Redis answers within the bound and has memory left for
// writes, and at least one worker holds a live lease (unless the deployment drains by cron:
// HEALTH_REQUIRE_WORKERS=false). Every queue's health (seed 002: ok / warning / critical with the
// reasons, @notify/queue's health.ts) is listed; a critical queue (say, a backlog no live worker
// takes) fails the check, a warning does not. The eviction policy is shown, with a warning when
// Redis may evict queued jobs; that alone does not fail the check (nothing is lost yet), and
// neither does a queue over DLQ_ALERT_THRESHOLD dead letters (listed under deadLetters.over and in
// warnings).
import { evictionWarning, type HealthStatus, redisInfo } from "@notify/queue";
import type { ResolvedDeps } from "../context.ts";
import { deadLetterWarning, overThreshold } from "../lib/dead-letter-alert.ts";
import { allQueueNames, type QueueAccess } from "../lib/queues.ts";
import { waitUntilReady, withDeadline } from "../lib/redis-guard.ts";
import { json } from "./responses.ts";

export const OUT_OF_MEMORY_REASON =
  "redis is out of memory (used_memory reached maxmemory): every enqueue is refused until memory is freed";

export interface RedisHealth {
  workers: Record<string, number>;
  /** Queues holding more dead letters than DLQ_ALERT_THRESHOLD, with their counts. */
  deadLettersOver: Record<string, number>;
  queues: Record<string, { status: HealthStatus; reasons: string[] }>;
  maxmemoryPolicy: string;
  outOfMemory: boolean;
  warnings: string[];
}

/** What /health and /ready need to know; throws when Redis cannot be reached within the bound. */
export async function checkRedis(deps: ResolvedDeps, queue: QueueAccess): Promise<RedisHealth> {
  const timeoutMs = deps.config.redisTimeoutMs;
  return withDeadline(timeoutMs, async () => {
    await waitUntilReady(deps.redis, timeoutMs);
    const info = await redisInfo(deps.redis);
    const now = Date.now();
    const workers: Record<string, number> = {};
    const deadLettersOver: Record<string, number> = {};
    const threshold = deps.config.dlqAlertThreshold;
    const queues: RedisHealth["queues"] = {};
    for (const name of await allQueueNames(deps.redis)) {
      const handle = await queue(name);
      const [held, dead] = await Promise.all([handle.workers(), threshold > 0 ? handle.dlq.count() : 0]);
      const live = held.filter((w) => w.leaseUntil > now).length;
      if (live > 0) workers[name] = live;
      if (overThreshold(dead, threshold)) deadLettersOver[name] = dead;
      const { status, reasons } = await handle.health({ requireWorkers: deps.config.healthRequireWorkers });
      queues[name] = { status, reasons };
    }
    const warning = evictionWarning(info);
    const warnings = warning ? [warning] : [];
    for (const [name, dead] of Object.entries(deadLettersOver)) warnings.push(deadLetterWarning(name, dead, threshold));
    return {
      workers,
      deadLettersOver,
      queues,
      maxmemoryPolicy: info.maxmemoryPolicy,
      outOfMemory: info.outOfMemory,
      warnings,
    };
  });
}

export async function health(deps: ResolvedDeps, queue: QueueAccess): Promise<Response> {
  let state: RedisHealth;
  try {
    state = await checkRedis(deps, queue);
  } catch (error) {
    const reason = `redis unreachable: ${error instanceof Error ? error.message : String(error)}`;
    return json({ status: "fail", redis: "down", reason }, 503);
  }
  const { workers, queues, maxmemoryPolicy, warnings, deadLettersOver } = state;
  const deadLetters = { threshold: deps.config.dlqAlertThreshold, over: deadLettersOver };
  const body = {
    redis: "up",
    maxmemoryPolicy,
    workers,
    queues,
    deadLetters,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  if (state.outOfMemory) {
    return json({ status: "fail", ...body, redis: "out_of_memory", reason: OUT_OF_MEMORY_REASON }, 503);
  }
  const total = Object.values(workers).reduce((sum, n) => sum + n, 0);
  if (deps.config.healthRequireWorkers && total === 0) {
    return json({ status: "fail", ...body, reason: "no live workers" }, 503);
  }
  const critical = Object.entries(queues).filter(([, q]) => q.status === "critical");
  if (critical.length > 0) {
    const reason = critical.map(([name, q]) => `${name}: ${q.reasons.join("; ")}`).join(" | ");
    return json({ status: "fail", ...body, reason }, 503);
  }
  const warned = Object.values(queues).some((q) => q.status === "warning");
  return json({ status: warned ? "warn" : "ok", ...body });
}

/** GET /live: the process is up and answering; says nothing about Redis (orchestrators restart on it). */
export function live(): Response {
  return json({ status: "ok" });
}

/**
 * GET /ready: this instance can take work: Redis answers within the bound and has memory for
 * writes. Workers are not required (that is /health's business), so a drain deployment is ready.
 */
export async function ready(deps: ResolvedDeps): Promise<Response> {
  const timeoutMs = deps.config.redisTimeoutMs;
  try {
    const info = await withDeadline(timeoutMs, async () => {
      await waitUntilReady(deps.redis, timeoutMs);
      return redisInfo(deps.redis);
    });
    if (info.outOfMemory) return json({ status: "fail", redis: "out_of_memory", reason: OUT_OF_MEMORY_REASON }, 503);
    return json({ status: "ok", redis: "up", maxmemoryPolicy: info.maxmemoryPolicy });
  } catch (error) {
    const reason = `redis unreachable: ${error instanceof Error ? error.message : String(error)}`;
    return json({ status: "fail", redis: "down", reason }, 503);
  }
}
