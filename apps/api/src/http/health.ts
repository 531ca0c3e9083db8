// GET /health (seed 000's health checks): Redis answers a PING within the bound, and at least one
// worker holds a live lease (unless the deployment drains by cron: HEALTH_REQUIRE_WORKERS=false).
import type { ResolvedDeps } from "../context.ts";
import { allQueueNames, type QueueAccess } from "../lib/queues.ts";
import { waitUntilReady, withDeadline } from "../lib/redis-guard.ts";
import { json } from "./responses.ts";

export async function health(deps: ResolvedDeps, queue: QueueAccess): Promise<Response> {
  const timeoutMs = deps.config.redisTimeoutMs;
  let workers: Record<string, number>;
  try {
    workers = await withDeadline(timeoutMs, async () => {
      await waitUntilReady(deps.redis, timeoutMs);
      await deps.redis.ping();
      const now = Date.now();
      const counts: Record<string, number> = {};
      for (const name of await allQueueNames(deps.redis)) {
        const live = (await (await queue(name)).workers()).filter((w) => w.leaseUntil > now).length;
        if (live > 0) counts[name] = live;
      }
      return counts;
    });
  } catch (error) {
    const reason = `redis unreachable: ${error instanceof Error ? error.message : String(error)}`;
    return json({ status: "fail", redis: "down", reason }, 503);
  }
  const total = Object.values(workers).reduce((sum, n) => sum + n, 0);
  if (deps.config.healthRequireWorkers && total === 0) {
    return json({ status: "fail", redis: "up", workers, reason: "no live workers" }, 503);
  }
  return json({ status: "ok", redis: "up", workers });
}
