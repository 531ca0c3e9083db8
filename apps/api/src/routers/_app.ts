import { router } from "../trpc.ts";
import { batchesRouter } from "./batches.ts";
import { dlqRouter } from "./dlq.ts";
import { emailRouter } from "./email.ts";
import { jobsRouter } from "./jobs.ts";
import { metricsRouter } from "./metrics.ts";
import { queuesRouter } from "./queues.ts";
import { redisRouter } from "./redis.ts";
import { schedulesRouter } from "./schedules.ts";
import { smsRouter } from "./sms.ts";
import { templatesRouter } from "./templates.ts";
import { toolsRouter } from "./tools.ts";
import { workerRouter } from "./worker.ts";
import { workersRouter } from "./workers.ts";

export const appRouter = router({
  email: emailRouter,
  sms: smsRouter,
  jobs: jobsRouter,
  batches: batchesRouter,
  queues: queuesRouter,
  dlq: dlqRouter,
  workers: workersRouter,
  metrics: metricsRouter,
  redis: redisRouter,
  schedules: schedulesRouter,
  templates: templatesRouter,
  worker: workerRouter,
  tools: toolsRouter,
});

export type AppRouter = typeof appRouter;
