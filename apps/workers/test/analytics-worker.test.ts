// The analytics worker as the Procfile runs it, beside a real events worker and Redis: email
// events pushed as the API pushes them are counted by the events worker, the analytics worker
// registers its daily schedule at start and stores the report of the day the events happened.
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import {
  ANALYTICS_QUEUE,
  DAILY_AGGREGATION_JOB,
  DAILY_AGGREGATION_SCHEDULE,
  dailyReport,
  emailEventCounts,
  pushEmailEvent,
  yesterdayUtc,
} from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
});

afterAll(async () => {
  killAll(workers);
  redis?.disconnect();
  await server?.stop();
});

describe("analytics worker process", () => {
  it("aggregates the events worker's counts into yesterday's report and stops on SIGTERM", async () => {
    const env = { REDIS_URL: server.url, SHUTDOWN_GRACE_MS: "5000", ANALYTICS_CONCURRENCY: "2" };
    const events = spawnWorker("events", env);
    const analytics = spawnWorker("analytics", env);
    workers.push(events, analytics);
    await Promise.all([waitStarted(events), waitStarted(analytics)]);
    expect(analytics.lines.find((l) => l.msg === "worker started")).toMatchObject({
      queue: ANALYTICS_QUEUE,
      concurrency: 2,
    });

    const queue = new Queue(ANALYTICS_QUEUE, { connection: redis });
    const [schedule] = await queue.schedules.list();
    expect(schedule).toMatchObject({
      name: DAILY_AGGREGATION_SCHEDULE,
      tz: "UTC",
      job: { type: DAILY_AGGREGATION_JOB },
    });

    const at = Date.parse(`${yesterdayUtc()}T08:30:00Z`);
    const batchId = "spring-campaign";
    for (const recipient of ["a@example.com", "b@example.com", "c@example.com"])
      await pushEmailEvent(redis, "EMAIL_DELIVERED", { recipient, batchId, timestamp: at });
    await pushEmailEvent(redis, "EMAIL_OPENED", { recipient: "a@example.com", batchId, timestamp: at });
    await pushEmailEvent(redis, "EMAIL_OPENED", { recipient: "a@example.com", batchId, timestamp: at + 1 });
    await pushEmailEvent(redis, "EMAIL_CLICKED", { recipient: "a@example.com", batchId, timestamp: at });
    await waitFor(async () => (await emailEventCounts(redis)).EMAIL_CLICKED === 1, { message: "events counted" });

    const { id } = await queue.push({ type: DAILY_AGGREGATION_JOB, data: {} });
    await waitFor(() => dailyReport(redis, yesterdayUtc()), { message: `report of job ${id}` });
    expect(await dailyReport(redis, yesterdayUtc())).toMatchObject({
      events: { EMAIL_DELIVERED: 3, EMAIL_OPENED: 2, EMAIL_CLICKED: 1, EMAIL_BOUNCED: 0 },
      uniqueOpens: 1,
      campaignCount: 1,
      campaigns: [batchId],
      openRate: 0.3333,
      clickRate: 0.3333,
    });

    analytics.child.kill("SIGTERM");
    expect(await analytics.exited).toEqual({ code: 0, signal: null });
  });

  it("a bad ANALYTICS_DAILY_CRON ends the worker at start with one line naming it", async () => {
    const analytics = spawnWorker("analytics", { REDIS_URL: server.url, ANALYTICS_DAILY_CRON: "every day" });
    workers.push(analytics);
    expect((await analytics.exited).code).toBe(1);
    expect(analytics.output()).toMatch(/ANALYTICS_DAILY_CRON/);
  });
});
