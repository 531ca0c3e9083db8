// The analytics queue (seed 002): a worker that sends nothing. Its jobs read the email aggregates
// the email-events worker keeps (per batch and per UTC day, email-event-stats.ts), turn them into
// a report with rates, and store that report for the API (analytics.campaign, analytics.daily).
// Reports are snapshots: a re-run overwrites one with the figures counted by then.
import { z } from "zod";
import type { RedisConnection } from "../connection.ts";
import { queueKeys } from "../keys.ts";
import { Queue } from "../queue.ts";
import { loadCampaign } from "./campaigns.ts";
import { emailEventStats, utcDay } from "./email-event-stats.ts";
import { EMAIL_EVENT_TYPES, type EmailEventType } from "./email-events.ts";
import { EMAIL_QUEUE } from "./email-jobs.ts";
import { emailKeys } from "./keys.ts";

export const ANALYTICS_QUEUE = "analytics";
export const CAMPAIGN_COMPLETE_JOB = "campaign-complete";
export const DAILY_AGGREGATION_JOB = "daily-aggregation";
/** The schedule the analytics worker registers at start. */
export const DAILY_AGGREGATION_SCHEDULE = "analytics-daily-aggregation";
const REPORT_TTL_SECONDS = 90 * 86_400;
/** A daily report names at most this many campaigns (it always counts them all). */
export const MAX_DAILY_CAMPAIGNS = 200;

const idSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "use 1-100 letters, digits, '_', '-', '.' or ':'");
export const analyticsDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a day is YYYY-MM-DD")
  .refine((day) => utcDayIsReal(day), "not a calendar day");

function utcDayIsReal(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** Seed 002's campaign-complete: the campaign id is its batch id, so either name works. */
export const campaignCompleteDataSchema = z
  .object({ campaignId: idSchema.optional(), batchId: idSchema.optional() })
  .refine((data) => data.campaignId !== undefined || data.batchId !== undefined, {
    message: "give campaignId or batchId",
  })
  .transform((data) => ({ campaignId: (data.campaignId ?? data.batchId) as string }));

/** daily-aggregation: the day to aggregate, yesterday (UTC) when not given, as the schedule sends it. */
export const dailyAggregationDataSchema = z.object({ day: analyticsDaySchema.optional() });

export function yesterdayUtc(now = Date.now()): string {
  return utcDay(now - 86_400_000);
}

export interface Rates {
  /** Unique opens per delivered email. */
  openRate: number;
  /** Clicks per delivered email. */
  clickRate: number;
  /** Bounces per attempted delivery (delivered + bounced). */
  bounceRate: number;
}

export interface CampaignReport extends Rates {
  campaignId: string;
  subject: string | null;
  /** The tenant that sent the campaign, for the API's tenancy check. */
  tenant: string | null;
  generatedAt: number;
  total: number;
  done: number;
  failed: number;
  pending: number;
  /** Every job of the campaign was sent or failed when the report was made. */
  complete: boolean;
  delivered: number;
  uniqueOpens: number;
  opens: number;
  clicked: number;
  bounced: number;
  dropped: number;
  spamReports: number;
  unsubscribed: number;
}

export interface DailyReport extends Rates {
  day: string;
  generatedAt: number;
  /** Events that happened that day, by type. */
  events: Record<EmailEventType, number>;
  /** Recipients who opened at least one email that day. */
  uniqueOpens: number;
  /** Campaigns (batches) with at least one event that day. */
  campaignCount: number;
  /** Their ids, sorted, at most MAX_DAILY_CAMPAIGNS. */
  campaigns: string[];
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

function rates(delivered: number, uniqueOpens: number, clicked: number, bounced: number): Rates {
  return {
    openRate: ratio(uniqueOpens, delivered),
    clickRate: ratio(clicked, delivered),
    bounceRate: ratio(bounced, delivered + bounced),
  };
}

function reportKeys() {
  const base = queueKeys(ANALYTICS_QUEUE).pending;
  return {
    campaign: (id: string) => `${base}:report:campaign:${id}`,
    daily: (day: string) => `${base}:report:day:${day}`,
  };
}

export class UnknownCampaignError extends Error {
  constructor(campaignId: string) {
    super(`no campaign or batch ${campaignId} (unknown, or its progress has expired)`);
    this.name = "UnknownCampaignError";
  }
}

/** Aggregates one campaign's figures now and stores the report. Throws UnknownCampaignError. */
export async function aggregateCampaign(
  redis: RedisConnection,
  campaignId: string,
  now = Date.now(),
): Promise<CampaignReport> {
  const id = idSchema.parse(campaignId);
  const [progress, stats, campaign] = await Promise.all([
    // Opened over its partitions: a campaign's jobs are spread over all of them.
    Queue.open(EMAIL_QUEUE, { connection: redis }).then((queue) => queue.batch(id)),
    emailEventStats(redis, id),
    loadCampaign(redis, id),
  ]);
  if (!progress) throw new UnknownCampaignError(id);
  const report: CampaignReport = {
    campaignId: id,
    subject: campaign?.subject ?? null,
    tenant: progress.tenant,
    generatedAt: now,
    total: progress.total,
    done: progress.done,
    failed: progress.failed,
    pending: progress.pending,
    complete: progress.pending === 0,
    ...stats,
    ...rates(stats.delivered, stats.uniqueOpens, stats.clicked, stats.bounced),
  };
  await redis.set(reportKeys().campaign(id), JSON.stringify(report), "EX", REPORT_TTL_SECONDS);
  return report;
}

/** Aggregates one UTC day's events and stores the report. */
export async function aggregateDay(redis: RedisConnection, day: string, now = Date.now()): Promise<DailyReport> {
  const parsedDay = analyticsDaySchema.parse(day);
  const keys = emailKeys();
  const [fields, uniqueOpens, campaignCount, sample] = await Promise.all([
    redis.hgetall(keys.eventCountsOnDay(parsedDay)),
    redis.pfcount(keys.opensOnDay(parsedDay)),
    redis.scard(keys.batchesOnDay(parsedDay)),
    // SRANDMEMBER bounds the read: a day may have had many thousands of batches.
    redis.srandmember(keys.batchesOnDay(parsedDay), MAX_DAILY_CAMPAIGNS),
  ]);
  const events = Object.fromEntries(EMAIL_EVENT_TYPES.map((type) => [type, Number(fields[type] ?? 0)])) as Record<
    EmailEventType,
    number
  >;
  const report: DailyReport = {
    day: parsedDay,
    generatedAt: now,
    events,
    uniqueOpens,
    campaignCount,
    campaigns: [...sample].sort(),
    ...rates(events.EMAIL_DELIVERED, uniqueOpens, events.EMAIL_CLICKED, events.EMAIL_BOUNCED),
  };
  await redis.set(reportKeys().daily(parsedDay), JSON.stringify(report), "EX", REPORT_TTL_SECONDS);
  return report;
}

/** The stored report of a campaign, or null when none was made (or it expired). */
export async function campaignReport(redis: RedisConnection, campaignId: string): Promise<CampaignReport | null> {
  if (!idSchema.safeParse(campaignId).success) return null;
  const json = await redis.get(reportKeys().campaign(campaignId));
  return json ? (JSON.parse(json) as CampaignReport) : null;
}

/** The stored report of a UTC day, or null when none was made (or it expired). */
export async function dailyReport(redis: RedisConnection, day: string): Promise<DailyReport | null> {
  if (!analyticsDaySchema.safeParse(day).success) return null;
  const json = await redis.get(reportKeys().daily(day));
  return json ? (JSON.parse(json) as DailyReport) : null;
}

/**
 * Registers (or updates) the daily-aggregation schedule on the analytics queue: every worker does
 * it at start, and the engine fires each tick once however many run.
 */
export async function registerDailyAggregation(redis: RedisConnection, cron = "15 0 * * *"): Promise<void> {
  await new Queue(ANALYTICS_QUEUE, { connection: redis }).schedules.upsert({
    name: DAILY_AGGREGATION_SCHEDULE,
    cron,
    tz: "UTC",
    job: { type: DAILY_AGGREGATION_JOB, data: {} },
  });
}
