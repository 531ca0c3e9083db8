// GET /metrics: the engine's counters are read from Redis at scrape time and copied into the
// registry, so every API instance reports the same queue numbers and Prometheus can take any one.
// Prometheus naming: counters end in _total, durations are _seconds histograms, and no label ever
// carries a recipient, a job id or anything else that grows with traffic.
import { evictionWarning, type QueueStats, redisInfo } from "@notify/queue";
import { breakerStates, emailEventCounts, newUserSummary, smsEventCounts } from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
import { overThreshold } from "../lib/dead-letter-alert.ts";
import { allQueueNames, type QueueAccess } from "../lib/queues.ts";
import { waitUntilReady, withDeadline } from "../lib/redis-guard.ts";
import type { QueueTotal } from "../metrics/registry.ts";

const STATES = ["pending", "active", "delayed", "dead"] as const;
const TOTALS: QueueTotal[] = ["processed", "failed", "retried", "deadLettered"];

const PROCESSING = "notify_job_processing_seconds";

/**
 * The engine keeps processing-time buckets in Redis (shared by every worker); prom-client cannot
 * set a histogram's buckets, so its exposition lines are written here in the same text format.
 */
function processingHistogramText(stats: QueueStats[]): string {
  const lines = [
    `# HELP ${PROCESSING} Processing time of completed jobs (handler start to return), from Redis`,
    `# TYPE ${PROCESSING} histogram`,
  ];
  for (const s of stats) {
    const queue = JSON.stringify(s.name);
    for (const { le, count } of s.processingTime.buckets) {
      const bound = Number.isFinite(le) ? String(le) : "+Inf";
      lines.push(`${PROCESSING}_bucket{queue=${queue},le="${bound}"} ${count}`);
    }
    lines.push(`${PROCESSING}_sum{queue=${queue}} ${s.processingTime.sumSeconds}`);
    lines.push(`${PROCESSING}_count{queue=${queue}} ${s.processingTime.count}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function metrics(deps: ResolvedDeps, queue: QueueAccess): Promise<Response> {
  const m = deps.metrics;
  let processingText = "";
  try {
    const [stats, info, eventCounts, newUsers, breakers, smsEvents] = await withDeadline(
      deps.config.redisTimeoutMs,
      async () => {
        await waitUntilReady(deps.redis, deps.config.redisTimeoutMs);
        const names = await allQueueNames(deps.redis);
        return Promise.all([
          Promise.all(names.map(async (name) => (await queue(name)).stats())),
          redisInfo(deps.redis),
          emailEventCounts(deps.redis),
          newUserSummary(deps.redis, 0),
          breakerStates(deps.redis),
          smsEventCounts(deps.redis),
        ]);
      },
    );
    m.redisOutOfMemory.set(info.outOfMemory ? 1 : 0);
    m.redisEvictingPolicy.set(evictionWarning(info) ? 1 : 0);
    m.queueJobs.reset();
    m.queueWorkers.reset();
    m.deadLetterAlert.reset();
    m.deadLetterAlertThreshold.set(deps.config.dlqAlertThreshold);
    for (const total of TOTALS) m.queueTotals[total].reset();
    processingText = processingHistogramText(stats);
    for (const s of stats) {
      for (const state of STATES) m.queueJobs.set({ queue: s.name, state }, s[state]);
      m.queueWorkers.set({ queue: s.name }, s.workers);
      m.deadLetterAlert.set({ queue: s.name }, overThreshold(s.dead, deps.config.dlqAlertThreshold) ? 1 : 0);
      for (const total of TOTALS) m.queueTotals[total].inc({ queue: s.name }, s[total]);
    }
    m.emailEvents.reset();
    for (const [type, count] of Object.entries(eventCounts)) m.emailEvents.inc({ type }, count);
    m.newUsers.reset();
    for (const outcome of ["added", "updated", "overflow"] as const) m.newUsers.inc({ outcome }, newUsers[outcome]);
    m.smsEvents.reset();
    for (const [type, count] of Object.entries(smsEvents)) m.smsEvents.inc({ type }, count);
    m.providerBreaker.reset();
    m.providerCredentialsRejected.reset();
    for (const b of breakers) {
      for (const state of ["closed", "open", "half_open"] as const)
        m.providerBreaker.set({ channel: b.channel, provider: b.provider, state }, b.state === state ? 1 : 0);
      const rejected = b.state !== "closed" && b.reason === "credentials";
      m.providerCredentialsRejected.set({ channel: b.channel, provider: b.provider }, rejected ? 1 : 0);
    }
    m.redisUp.set(1);
  } catch {
    // Keep answering: the HTTP histograms and redis_up=0 are exactly what an outage dashboard needs.
    m.redisUp.set(0);
  }
  const body = `${await m.registry.metrics()}${processingText}`;
  return new Response(body, { headers: { "content-type": m.registry.contentType } });
}
