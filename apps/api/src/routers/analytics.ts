// The analytics queue's reports (seed 002): what the analytics worker stored for a campaign
// (campaign-complete) or a UTC day (daily-aggregation). Reading never aggregates: a report is
// the worker's snapshot, and `generatedAt` says when it was made.
import { analyticsDaySchema, campaignReport, dailyReport, EMAIL_EVENT_TYPES } from "@notify/queue/notifications";
import { z } from "zod";
import { mayRead, notFound } from "../lib/tenancy.ts";
import { adminProcedure, router, serviceProcedure } from "../trpc.ts";

const count = z.number().int().min(0);
const rate = z.number().min(0);
const ratesOutput = { openRate: rate, clickRate: rate, bounceRate: rate };

const campaignReportOutput = z.object({
  campaignId: z.string(),
  subject: z.string().nullable(),
  generatedAt: z.number(),
  total: count,
  done: count,
  failed: count,
  pending: count,
  complete: z.boolean(),
  delivered: count,
  uniqueOpens: count,
  opens: count,
  clicked: count,
  bounced: count,
  dropped: count,
  spamReports: count,
  unsubscribed: count,
  ...ratesOutput,
});

const dailyReportOutput = z.object({
  day: z.string(),
  generatedAt: z.number(),
  events: z.object(Object.fromEntries(EMAIL_EVENT_TYPES.map((type) => [type, count]))),
  uniqueOpens: count,
  campaignCount: count,
  campaigns: z.array(z.string()),
  ...ratesOutput,
});

export const analyticsRouter = router({
  /** A campaign's stored report; a tenant's key sees only its own campaigns. */
  campaign: serviceProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/analytics/campaigns/{campaignId}",
        tags: ["analytics"],
        protect: true,
        summary: "A campaign's analytics report",
      },
    })
    .input(z.object({ campaignId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/) }))
    .output(campaignReportOutput)
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const report = await campaignReport(ctx.deps.redis, input.campaignId);
      if (!report || !mayRead(ctx, report.tenant))
        throw notFound(`no analytics report for campaign ${input.campaignId}`);
      const { tenant: _tenant, ...view } = report;
      return view;
    }),

  /** One UTC day's stored report: every tenant's email, so for the admin only. */
  daily: adminProcedure
    .input(z.object({ day: analyticsDaySchema }))
    .output(dailyReportOutput)
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const report = await dailyReport(ctx.deps.redis, input.day);
      if (!report) throw notFound(`no analytics report for ${input.day}`);
      return report;
    }),
});
