// GET /metrics: the engine's counters are read from Redis at scrape time and copied into the
// registry, so every API instance reports the same queue numbers and Prometheus can take any one.
import type { ResolvedDeps } from "../context.ts";
import { allQueueNames, type QueueAccess } from "../lib/queues.ts";
import { waitUntilReady, withDeadline } from "../lib/redis-guard.ts";
import type { QueueTotal } from "../metrics/registry.ts";

const STATES = ["pending", "active", "delayed", "dead"] as const;
const TOTALS: QueueTotal[] = ["processed", "failed", "retried", "deadLettered"];

export async function metrics(deps: ResolvedDeps, queue: QueueAccess): Promise<Response> {
  const m = deps.metrics;
  try {
    const stats = await withDeadline(deps.config.redisTimeoutMs, async () => {
      await waitUntilReady(deps.redis, deps.config.redisTimeoutMs);
      const names = await allQueueNames(deps.redis);
      return Promise.all(names.map(async (name) => (await queue(name)).stats()));
    });
    m.queueJobs.reset();
    m.queueWorkers.reset();
    for (const total of TOTALS) m.queueTotals[total].reset();
    for (const s of stats) {
      for (const state of STATES) m.queueJobs.set({ queue: s.name, state }, s[state]);
      m.queueWorkers.set({ queue: s.name }, s.workers);
      for (const total of TOTALS) m.queueTotals[total].inc({ queue: s.name }, s[total]);
    }
    m.redisUp.set(1);
  } catch {
    // Keep answering: the HTTP histograms and redis_up=0 are exactly what an outage dashboard needs.
    m.redisUp.set(0);
  }
  return new Response(await m.registry.metrics(), { headers: { "content-type": m.registry.contentType } });
}
