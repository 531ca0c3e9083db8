// An in-process email (or SMS) worker built from environment variables exactly as the worker
// process builds it (createDeliveryTarget), for batch tests; records every job's outcome.
import { createWorker, type Job, Queue, type RedisConnection, type Worker } from "@notify/queue";
import { createDeliveryTarget } from "../../src/targets.ts";
import { silentLogger } from "./silent-logger.ts";

export interface CampaignWorker {
  worker: Worker;
  queue: Queue;
  completed: Set<string>;
  dead: Map<string, string>;
  retried: Set<string>;
  close(): Promise<void>;
}

export async function startCampaignWorker(
  redis: RedisConnection,
  env: Record<string, string>,
  concurrency = 200,
  channel: "email" | "sms" = "email",
): Promise<CampaignWorker> {
  const target = await createDeliveryTarget(channel, { redis, logger: silentLogger, env });
  const worker = createWorker(target.queue, target.handler, {
    ...target.options,
    connection: redis,
    concurrency,
    backoff: { type: "fixed", delayMs: 20 },
  });
  const completed = new Set<string>();
  const dead = new Map<string, string>();
  const retried = new Set<string>();
  worker.on("completed", (job: Job) => completed.add(job.id));
  worker.on("dead", (job: Job | null, error: Error) => job && dead.set(job.id, error.message));
  worker.on("retrying", (job: Job) => retried.add(job.id));
  await worker.start();
  const queue = new Queue(target.queue, { connection: redis });
  return {
    worker,
    queue,
    completed,
    dead,
    retried,
    async close() {
      await worker.close({ graceMs: 1_000 });
      await queue.clear();
      await queue.dlq.purge();
    },
  };
}
