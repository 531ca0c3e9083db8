// The analytics queue against a real Redis: the events handler counts email events as the
// events worker does, a real worker runs the analytics handler's two jobs, and the stored
// reports must hold the numbers those events add up to.
import { createWorker, type Job, Queue, type Worker } from "@notify/queue";
import {
  ANALYTICS_QUEUE,
  CAMPAIGN_COMPLETE_JOB,
  campaignReport,
  DAILY_AGGREGATION_JOB,
  DAILY_AGGREGATION_SCHEDULE,
  dailyReport,
  type EmailEventType,
  registerDailyAggregation,
  sendCampaign,
  yesterdayUtc,
} from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createAnalyticsHandler } from "../src/analytics-handler.ts";
import { createEventsHandler } from "../src/events-handler.ts";
import { createDeliveryTarget } from "../src/targets.ts";
import { useRedis } from "./support/redis.ts";
import { silentLogger } from "./support/silent-logger.ts";

const t = useRedis();
const ctx = { workerId: "w", attempt: 1, signal: new AbortController().signal };
const DAY_MS = 86_400_000;
const TODAY = new Date().toISOString().slice(0, 10);
// Out of the way of the daily test's days (this file shares one Redis).
const TEN_DAYS_AGO = Date.now() - 10 * DAY_MS;

let workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((worker) => worker.close({ graceMs: 1_000 })));
  workers = [];
});

interface Outcome {
  kind: "completed" | "dead";
  job: Job | null;
  error?: Error;
}

async function startAnalyticsWorker(): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const worker = createWorker(ANALYTICS_QUEUE, createAnalyticsHandler({ redis: t.redis, logger: silentLogger }), {
    connection: t.redis,
    logger: silentLogger,
    concurrency: 3,
  });
  worker.on("completed", (job) => outcomes.push({ kind: "completed", job }));
  worker.on("dead", (job, error) => outcomes.push({ kind: "dead", job, error }));
  workers.push(worker);
  await worker.start();
  return outcomes;
}

const finished = (outcomes: Outcome[], id: string) => outcomes.find((o) => o.job?.id === id);

async function recordEvents(events: [EmailEventType, string, { batchId?: string; at?: number }][]) {
  const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
  let n = 0;
  for (const [type, recipient, { batchId, at = TEN_DAYS_AGO }] of events) {
    n++;
    const job: Job = { id: `ev-${type}-${recipient}-${n}`, type, attempts: 0, data: { recipient, timestamp: at } };
    if (batchId) job.data = { ...job.data, batchId };
    await handle(job, ctx);
  }
}

describe("analytics queue", () => {
  it("campaign-complete stores the campaign's delivery and engagement figures", async () => {
    const recipients = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"].map((to) => ({ to }));
    const { campaignId } = await sendCampaign(t.redis, {
      content: { subject: "Spring news", html: "<p>Hello {{name}}</p>" },
      recipients,
    });
    // The real email handler (console provider) sends them, so the batch finishes.
    const email = await createDeliveryTarget("email", { redis: t.redis, env: {}, logger: silentLogger });
    const emailWorker = createWorker(email.queue, email.handler, {
      connection: t.redis,
      logger: silentLogger,
      ...email.options,
    });
    workers.push(emailWorker);
    await emailWorker.start();
    await waitFor(async () => (await new Queue(email.queue, { connection: t.redis }).batch(campaignId))?.done === 4, {
      message: "campaign sent",
    });
    await recordEvents([
      ["EMAIL_DELIVERED", "a@example.com", { batchId: campaignId }],
      ["EMAIL_DELIVERED", "b@example.com", { batchId: campaignId }],
      ["EMAIL_DELIVERED", "c@example.com", { batchId: campaignId }],
      ["EMAIL_BOUNCED", "d@example.com", { batchId: campaignId }],
      ["EMAIL_OPENED", "a@example.com", { batchId: campaignId }],
      ["EMAIL_OPENED", "A@example.com", { batchId: campaignId }],
      ["EMAIL_OPENED", "b@example.com", { batchId: campaignId }],
      ["EMAIL_CLICKED", "a@example.com", { batchId: campaignId }],
      ["EMAIL_UNSUBSCRIBED", "c@example.com", { batchId: campaignId }],
    ]);

    const outcomes = await startAnalyticsWorker();
    const queue = new Queue(ANALYTICS_QUEUE, { connection: t.redis });
    const { id } = await queue.push({ type: CAMPAIGN_COMPLETE_JOB, data: { campaignId } });
    await waitFor(() => finished(outcomes, id), { message: "campaign-complete run" });
    expect(finished(outcomes, id)?.kind).toBe("completed");

    expect(await campaignReport(t.redis, campaignId)).toMatchObject({
      campaignId,
      subject: "Spring news",
      total: 4,
      done: 4,
      failed: 0,
      pending: 0,
      complete: true,
      delivered: 3,
      bounced: 1,
      opens: 3,
      uniqueOpens: 2,
      clicked: 1,
      unsubscribed: 1,
      openRate: 0.6667,
      clickRate: 0.3333,
      bounceRate: 0.25,
    });
  });

  it("daily-aggregation counts only that UTC day's events, yesterday by default", async () => {
    const yesterday = yesterdayUtc();
    const noonYesterday = Date.parse(`${yesterday}T12:00:00Z`);
    await recordEvents([
      ["EMAIL_DELIVERED", "x@example.com", { batchId: "day-b1", at: noonYesterday }],
      ["EMAIL_DELIVERED", "y@example.com", { batchId: "day-b2", at: noonYesterday }],
      ["EMAIL_DELIVERED", "z@example.com", { at: noonYesterday }],
      ["EMAIL_DELIVERED", "w@example.com", { at: noonYesterday }],
      ["EMAIL_OPENED", "x@example.com", { batchId: "day-b1", at: noonYesterday }],
      ["EMAIL_OPENED", "x@example.com", { batchId: "day-b1", at: noonYesterday + 60_000 }],
      ["EMAIL_CLICKED", "x@example.com", { batchId: "day-b1", at: noonYesterday }],
      ["EMAIL_BOUNCED", "v@example.com", { at: noonYesterday }],
      // The day before and the day after do not count.
      ["EMAIL_DELIVERED", "old@example.com", { batchId: "day-old", at: noonYesterday - DAY_MS }],
      ["EMAIL_OPENED", "y@example.com", { batchId: "day-b2", at: noonYesterday + DAY_MS }],
    ]);

    const outcomes = await startAnalyticsWorker();
    const queue = new Queue(ANALYTICS_QUEUE, { connection: t.redis });
    const byDefault = await queue.push({ type: DAILY_AGGREGATION_JOB, data: {} });
    const today = await queue.push({ type: DAILY_AGGREGATION_JOB, data: { day: TODAY } });
    await waitFor(() => finished(outcomes, byDefault.id) && finished(outcomes, today.id), { message: "both days run" });

    const report = await dailyReport(t.redis, yesterday);
    expect(report).toMatchObject({
      day: yesterday,
      events: {
        EMAIL_DELIVERED: 4,
        EMAIL_OPENED: 2,
        EMAIL_CLICKED: 1,
        EMAIL_BOUNCED: 1,
        EMAIL_DROPPED: 0,
        EMAIL_SPAM_REPORT: 0,
        EMAIL_UNSUBSCRIBED: 0,
      },
      uniqueOpens: 1,
      campaignCount: 2,
      campaigns: ["day-b1", "day-b2"],
      openRate: 0.25,
      clickRate: 0.25,
      bounceRate: 0.2,
    });
    expect(await dailyReport(t.redis, TODAY)).toMatchObject({
      events: { EMAIL_DELIVERED: 0, EMAIL_OPENED: 1 },
      campaigns: ["day-b2"],
    });
  });

  it("dead-letters bad jobs at once with a reason instead of retrying them", async () => {
    const outcomes = await startAnalyticsWorker();
    const queue = new Queue(ANALYTICS_QUEUE, { connection: t.redis });
    const bad = await Promise.all([
      queue.push({ type: CAMPAIGN_COMPLETE_JOB, data: { campaignId: "no-such-campaign" } }),
      queue.push({ type: CAMPAIGN_COMPLETE_JOB, data: {} }),
      queue.push({ type: DAILY_AGGREGATION_JOB, data: { day: "2026-02-30" } }),
      queue.push({ type: DAILY_AGGREGATION_JOB, data: { day: "x".repeat(10_000) } }),
      queue.push({ type: "insights", data: {} }),
    ]);
    await waitFor(() => bad.every(({ id }) => finished(outcomes, id)), { message: "all bad jobs settled" });
    const messages = bad.map(({ id }) => finished(outcomes, id));
    expect(messages.map((o) => o?.kind)).toEqual(["dead", "dead", "dead", "dead", "dead"]);
    expect(messages.map((o) => o?.job?.attempts)).toEqual([1, 1, 1, 1, 1]);
    expect(messages[0]?.error?.message).toMatch(/no campaign or batch no-such-campaign/);
    expect(messages[1]?.error?.message).toMatch(/give campaignId or batchId/);
    expect(messages[2]?.error?.message).toMatch(/not a calendar day/);
    expect(messages[4]?.error?.message).toMatch(/unknown analytics job type "insights"/);
  });

  it("registers one daily schedule whose tick runs daily-aggregation", async () => {
    await registerDailyAggregation(t.redis);
    await registerDailyAggregation(t.redis); // a second worker starting changes nothing
    const queue = new Queue(ANALYTICS_QUEUE, { connection: t.redis });
    const schedules = await queue.schedules.list();
    expect(schedules.map((s) => [s.name, s.cron, s.tz, s.job.type])).toEqual([
      [DAILY_AGGREGATION_SCHEDULE, "15 0 * * *", "UTC", DAILY_AGGREGATION_JOB],
    ]);
    const dueAt = schedules[0]?.nextRunAt ?? 0;
    expect(new Date(dueAt).toISOString()).toMatch(/T00:15:00\.000Z$/);

    const outcomes = await startAnalyticsWorker();
    expect(await queue.schedules.fireDue(dueAt)).toBe(1);
    const id = `${DAILY_AGGREGATION_SCHEDULE}:${dueAt}`;
    await waitFor(() => finished(outcomes, id), { message: "scheduled run" });
    expect(finished(outcomes, id)?.kind).toBe("completed");
    expect(await dailyReport(t.redis, yesterdayUtc())).not.toBeNull();
  });
});
