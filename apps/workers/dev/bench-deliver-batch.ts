// Campaign throughput of one email worker process: a campaign queued by sendCampaign, sent in
// SendGrid batches (personalizations) through SendGrid's client to the stand-in answering each
// request in 50 ms. Counts recipients the stand-in accepted. Prints {"deliverBatchPerSec":N}.
//
//   bun apps/workers/dev/bench-deliver-batch.ts [--recipients N] [--concurrency N] [--latency-ms N]
import { createRedis } from "@notify/queue";
import { sendCampaign } from "@notify/queue/notifications";
import { ProviderStandIn, startRedisServer, waitFor } from "@notify/testing";
import { cpuSecondsOf, numberArg } from "./bench-deliver.ts";
import { redisUsagePerJob, sampleRedis } from "./redis-usage.ts";
import { spawnWorker, waitStarted } from "./worker-process.ts";

export interface DeliverBatchBenchOptions {
  recipients: number;
  /** Jobs the worker runs at once: batches fill only from jobs running together. */
  concurrency: number;
  latencyMs: number;
  /** Before the worker's script, e.g. ["--cpu-prof-md"] to profile it. */
  bunArgs?: string[];
}

const content = {
  subject: "News for {{first_name}}",
  html: "<h1>Hello {{first_name}}</h1><p>This month's news, with your code {{code}}.</p>",
  text: "Hello {{first_name}}, this month's news, with your code {{code}}.",
};

const recipientsOf = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    to: `reader${from + i}@example.com`,
    personalizations: { first_name: `Reader ${from + i}`, code: `C${from + i}` },
  }));

export async function benchDeliverBatch(options: DeliverBatchBenchOptions) {
  const server = await startRedisServer();
  const standIn = await new ProviderStandIn({ latencyMs: options.latencyMs, keepBodies: false }).start();
  const redis = createRedis(server.url);
  const worker = spawnWorker(
    "email",
    {
      REDIS_URL: server.url,
      SENDGRID_API_KEY: "SG.bench",
      SENDGRID_BASE_URL: standIn.url,
      EMAIL_CONCURRENCY: String(options.concurrency),
    },
    options.bunArgs,
    { keepLogs: false },
  );
  try {
    await waitStarted(worker, 60_000);
    // Warm-up: connections, JIT, the campaign's template.
    const warm = Math.min(2_000, Math.floor(options.recipients / 10));
    await sendCampaign(redis, { content, recipients: recipientsOf(0, warm), campaignId: "bench-warm" });
    await waitFor(() => standIn.stats().accepted >= warm, { timeoutMs: 60_000, message: "warm-up" });
    const started = performance.now();
    const cpuBefore = cpuSecondsOf(worker.child.pid);
    const redisBefore = await sampleRedis(redis);
    await sendCampaign(redis, {
      content,
      recipients: recipientsOf(warm, options.recipients - warm),
      campaignId: "bench",
      batchSize: 10_000,
    });
    await waitFor(() => standIn.stats().accepted >= options.recipients, {
      timeoutMs: 120_000,
      intervalMs: 5,
      message: "all delivered",
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSecondsOf(worker.child.pid);
    const redisAfter = await sampleRedis(redis);
    const measured = options.recipients - warm;
    return {
      deliverBatchPerSec: Math.round(measured / seconds),
      /** The worker's CPU per campaign email: what the rate would be on a core of its own. */
      workerCpuUsPerJob:
        cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / measured),
      ...redisUsagePerJob(redisBefore, redisAfter, measured),
      recipients: measured,
      requests: standIn.stats().requests,
      seconds: Math.round(seconds * 100) / 100,
    };
  } finally {
    worker.child.kill("SIGTERM");
    await worker.exited;
    redis.disconnect();
    await standIn.stop();
    await server.stop();
  }
}

if ((import.meta as { main?: boolean }).main) {
  const result = await benchDeliverBatch({
    recipients: numberArg("--recipients", 50_000),
    concurrency: numberArg("--concurrency", 4_000),
    latencyMs: numberArg("--latency-ms", 50),
  });
  process.stderr.write(
    `delivered ${result.recipients} campaign emails in ${result.seconds} s (${result.requests} requests), ${result.workerCpuUsPerJob ?? "?"} µs of worker CPU and ${result.redisCpuUsPerJob} µs of Redis CPU each\n`,
  );
  if (process.argv.includes("--commands"))
    process.stderr.write(`Redis calls per email: ${JSON.stringify(result.commands)}\n`);
  console.log(
    JSON.stringify({
      deliverBatchPerSec: result.deliverBatchPerSec,
      deliverBatchWorkerCpuUsPerJob: result.workerCpuUsPerJob,
    }),
  );
}
