// An in-process engine worker running the real email handler and SendGrid client against the
// stand-in, on a queue of its own, for tests that look at job outcomes.
import { randomBytes } from "node:crypto";
import { createWorker, type Job, Queue, type RedisConnection, type Worker } from "@notify/queue";
import type { ProviderStandIn } from "@notify/testing";
import { createEmailHandler } from "../../src/email-handler.ts";
import { createSendGridProvider } from "../../src/providers/sendgrid.ts";
import { EmailRenderer } from "../../src/templates/email-renderer.ts";
import { silentLogger } from "./silent-logger.ts";

export interface Harness {
  queue: Queue;
  worker: Worker;
  events: { type: "completed" | "retrying" | "dead" | "halted"; jobId?: string; error?: string; delayMs?: number }[];
  close(): Promise<void>;
}

export async function startEmailHarness(
  redis: RedisConnection,
  standIn: ProviderStandIn,
  apiKey = "SG.good",
  options: { tracking?: { baseUrl: string; secret: string } } = {},
): Promise<Harness> {
  const name = `email-test-${randomBytes(4).toString("hex")}`;
  const renderer = await EmailRenderer.create({
    appName: "Notify",
    appUrl: "https://app.example.com",
    ...(options.tracking ? { tracking: options.tracking } : {}),
  });
  const provider = createSendGridProvider({ apiKey, baseUrl: standIn.url, timeoutMs: 300 });
  const logger = silentLogger;
  const events: Harness["events"] = [];
  const worker = createWorker(
    name,
    createEmailHandler({ redis, renderer, provider, from: "no-reply@example.com", logger }),
    {
      connection: redis,
      concurrency: 4,
      backoff: { type: "fixed", delayMs: 20 },
    },
  );
  worker.on("completed", (job: Job) => events.push({ type: "completed", jobId: job.id }));
  worker.on("retrying", (job: Job, error: Error, delayMs: number) =>
    events.push({ type: "retrying", jobId: job.id, error: error.message, delayMs }),
  );
  worker.on("dead", (job: Job | null, error: Error) =>
    events.push({ type: "dead", jobId: job?.id, error: error.message }),
  );
  worker.on("halted", (reason: string) => events.push({ type: "halted", error: reason }));
  const queue = new Queue(name, { connection: redis });
  return {
    queue,
    worker,
    events,
    async close() {
      await worker.close({ graceMs: 1_000 });
      await queue.clear();
      await queue.dlq.purge();
    },
  };
}
