// Campaign throughput of one email worker process: a campaign queued by sendCampaign, sent in
// SendGrid batches (personalizations) through SendGrid's client to the stand-in answering each
// request in 50 ms. Counts recipients the stand-in accepted. Prints {"deliverBatchPerSec":N}.
//
//   bun apps/workers/dev/bench-deliver-batch.ts [--recipients N] [--concurrency N] [--latency-ms N]
import { sendCampaign } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { numberArg, type RigOptions, startDeliveryRig } from "./delivery-rig.ts";

/** Its `concurrency` is the jobs the worker runs at once: batches fill only from jobs running together. */
export interface DeliverBatchBenchOptions extends RigOptions {
  recipients: number;
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
  const rig = await startDeliveryRig(options);
  try {
    // Warm-up: connections, JIT, the campaign's template.
    const warm = Math.min(2_000, Math.floor(options.recipients / 10));
    await sendCampaign(rig.redis, { content, recipients: recipientsOf(0, warm), campaignId: "bench-warm" });
    await waitFor(() => rig.standIn.stats().accepted >= warm, { timeoutMs: 60_000, message: "warm-up" });
    const measured = options.recipients - warm;
    const cost = await rig.measure(measured, async () => {
      await sendCampaign(rig.redis, {
        content,
        recipients: recipientsOf(warm, measured),
        campaignId: "bench",
        batchSize: 10_000,
      });
      await waitFor(() => rig.standIn.stats().accepted >= options.recipients, {
        timeoutMs: 120_000,
        intervalMs: 5,
        message: "all delivered",
      });
    });
    return {
      deliverBatchPerSec: Math.round(measured / cost.seconds),
      recipients: measured,
      requests: rig.standIn.stats().requests,
      ...cost,
    };
  } finally {
    await rig.stop();
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
