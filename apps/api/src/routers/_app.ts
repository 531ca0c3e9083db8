import { router } from "../trpc.ts";
import { analyticsRouter } from "./analytics.ts";
import { auditRouter } from "./audit.ts";
import { batchesRouter } from "./batches.ts";
import { campaignsRouter } from "./campaigns.ts";
import { contactsRouter } from "./contacts.ts";
import { dlqRouter } from "./dlq.ts";
import { emailRouter } from "./email.ts";
import { jobsRouter } from "./jobs.ts";
import { messagesRouter } from "./messages.ts";
import { metricsRouter } from "./metrics.ts";
import { preferencesRouter } from "./preferences.ts";
import { queuesRouter } from "./queues.ts";
import { redisRouter } from "./redis.ts";
import { schedulesRouter } from "./schedules.ts";
import { sessionsRouter } from "./sessions.ts";
import { smsRouter } from "./sms.ts";
import { templatesRouter } from "./templates.ts";
import { toolsRouter } from "./tools.ts";
import { webhooksRouter } from "./webhooks.ts";
import { workersRouter } from "./workers.ts";

export const appRouter = router({
  email: emailRouter,
  sms: smsRouter,
  jobs: jobsRouter,
  messages: messagesRouter,
  batches: batchesRouter,
  contacts: contactsRouter,
  campaigns: campaignsRouter,
  analytics: analyticsRouter,
  queues: queuesRouter,
  dlq: dlqRouter,
  workers: workersRouter,
  metrics: metricsRouter,
  preferences: preferencesRouter,
  redis: redisRouter,
  schedules: schedulesRouter,
  sessions: sessionsRouter,
  audit: auditRouter,
  templates: templatesRouter,
  tools: toolsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
