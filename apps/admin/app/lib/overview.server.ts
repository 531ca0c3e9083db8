// Dashboard-wide numbers. The API answers per queue; these helpers ask every queue and add up.
import type { AdminClient } from "./api.server.ts";
import { cellText } from "./json-text.ts";
import type { DayPoint, MinutePoint, QueueStats, RecentFailure, RedisStats } from "./types.ts";

export interface OverviewData {
  queues: QueueStats[];
  workers: number;
  redis: RedisStats | null;
}

export async function overviewData(client: AdminClient): Promise<OverviewData> {
  const [queues, workers, redis] = await Promise.all([
    client.queues.overview.query(),
    client.workers.list.query({}),
    client.redis.info.query(),
  ]);
  return { queues, workers: workers.filter((w) => w.alive !== false).length, redis };
}

export async function seriesAll(client: AdminClient, queues: string[], minutes: number): Promise<MinutePoint[]> {
  const perQueue = await Promise.all(queues.map((queue) => client.metrics.series.query({ queue, minutes })));
  const byMinute = new Map<number, MinutePoint>();
  for (const point of perQueue.flat()) {
    const sum = byMinute.get(point.at) ?? { at: point.at, processed: 0, failed: 0 };
    sum.processed += point.processed;
    sum.failed += point.failed;
    byMinute.set(point.at, sum);
  }
  return [...byMinute.values()].sort((a, b) => a.at - b.at);
}

export async function historyAll(client: AdminClient, queues: string[], days: number): Promise<DayPoint[]> {
  const perQueue = await Promise.all(queues.map((queue) => client.metrics.history.query({ queue, days })));
  const byDay = new Map<string, DayPoint>();
  for (const point of perQueue.flat()) {
    const sum = byDay.get(point.day) ?? { day: point.day, processed: 0, failed: 0 };
    sum.processed += point.processed;
    sum.failed += point.failed;
    byDay.set(point.day, sum);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

export async function failuresAll(client: AdminClient, queues: string[], limit: number): Promise<RecentFailure[]> {
  const perQueue = await Promise.all(
    queues.map(async (queue) =>
      (await client.queues.recentFailures.query({ queue, limit })).map((f) => ({
        ...f,
        queue,
        type: f.type ? cellText(f.type, 80) : undefined,
        // Provider errors quote addresses and can be long: masked and cut like every list cell.
        error: cellText(f.error, 300),
      })),
    ),
  );
  return perQueue
    .flat()
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
}
