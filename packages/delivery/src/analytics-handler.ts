// The analytics worker's handler (seed 002's analytics queue): campaign-complete reports one
// campaign, daily-aggregation one UTC day (yesterday when the job names none, as the daily
// schedule sends it). Bad data or an unknown campaign can never succeed, so they dead-letter at
// once; a Redis failure is retried by the engine like any other job.
import { type Handler, type Logger, PermanentError, type RedisConnection } from "@notify/queue";
import {
  aggregateCampaign,
  aggregateDay,
  CAMPAIGN_COMPLETE_JOB,
  campaignCompleteDataSchema,
  DAILY_AGGREGATION_JOB,
  dailyAggregationDataSchema,
  describeIssues,
  UnknownCampaignError,
  yesterdayUtc,
} from "@notify/queue/notifications";

export interface AnalyticsHandlerOptions {
  redis: RedisConnection;
  logger: Logger;
}

export function createAnalyticsHandler({ redis, logger }: AnalyticsHandlerOptions): Handler {
  return async (job) => {
    if (job.type === CAMPAIGN_COMPLETE_JOB) {
      const parsed = campaignCompleteDataSchema.safeParse(job.data ?? {});
      if (!parsed.success)
        throw new PermanentError(`invalid ${job.type} job: ${describeIssues(parsed.error.issues)}`, {
          reason: "invalid",
        });
      try {
        const report = await aggregateCampaign(redis, parsed.data.campaignId);
        logger.info(
          { campaignId: report.campaignId, delivered: report.delivered, openRate: report.openRate },
          "campaign report stored",
        );
        return { campaignId: report.campaignId, complete: report.complete };
      } catch (error) {
        if (error instanceof UnknownCampaignError)
          throw new PermanentError(error.message, { reason: "unknown_campaign" });
        throw error;
      }
    }
    if (job.type === DAILY_AGGREGATION_JOB) {
      const parsed = dailyAggregationDataSchema.safeParse(job.data ?? {});
      if (!parsed.success)
        throw new PermanentError(`invalid ${job.type} job: ${describeIssues(parsed.error.issues)}`, {
          reason: "invalid",
        });
      const report = await aggregateDay(redis, parsed.data.day ?? yesterdayUtc());
      logger.info({ day: report.day, delivered: report.events.EMAIL_DELIVERED }, "daily report stored");
      return { day: report.day };
    }
    throw new PermanentError(
      `unknown analytics job type ${JSON.stringify(job.type)}: use ${CAMPAIGN_COMPLETE_JOB} or ${DAILY_AGGREGATION_JOB}`,
      { reason: "unknown_type" },
    );
  };
}
