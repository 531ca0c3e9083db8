// Delivery throughput of one email worker process: the stand-in answers SendGrid requests in
// 50 ms (seed 004's per-email time), the worker runs at concurrency 50. Prints {"deliverPerSec":N}.
//
//   bun apps/workers/dev/bench-deliver.ts [--jobs N] [--concurrency N] [--latency-ms N]
import { Queue } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { numberArg, type PhaseCost, type RigOptions, startDeliveryRig } from "./delivery-rig.ts";

export interface DeliverBenchOptions extends RigOptions {
  jobs: number;
}

export async function benchDeliver(
  options: DeliverBenchOptions,
): Promise<PhaseCost & { deliverPerSec: number; jobs: number }> {
  const rig = await startDeliveryRig(options);
  try {
    const queue = new Queue(EMAIL_QUEUE, { connection: rig.redis });
    const inputs = Array.from({ length: options.jobs }, (_, i) => ({
      type: "welcome",
      to: `bench${i}@example.com`,
      data: { user_name: `User ${i}` },
    }));
    // Warm-up: connections, JIT, the first claim.
    const warm = Math.min(200, Math.floor(options.jobs / 10));
    await queue.pushBulk(inputs.slice(0, warm));
    await waitFor(() => rig.standIn.stats().accepted >= warm, { timeoutMs: 60_000, message: "warm-up" });
    const measured = options.jobs - warm;
    const cost = await rig.measure(measured, async () => {
      await queue.pushBulk(inputs.slice(warm));
      await waitFor(() => rig.standIn.stats().accepted >= options.jobs, {
        timeoutMs: 300_000,
        intervalMs: 5,
        message: "all delivered",
      });
    });
    return { deliverPerSec: Math.round(measured / cost.seconds), jobs: measured, ...cost };
  } finally {
    await rig.stop();
  }
}

if ((import.meta as { main?: boolean }).main) {
  const result = await benchDeliver({
    jobs: numberArg("--jobs", 10_000),
    concurrency: numberArg("--concurrency", 50),
    latencyMs: numberArg("--latency-ms", 50),
  });
  process.stderr.write(
    `delivered ${result.jobs} emails in ${result.seconds} s, ${result.workerCpuUsPerJob ?? "?"} µs of worker CPU and ${result.redisCpuUsPerJob} µs of Redis CPU each\n`,
  );
  if (process.argv.includes("--commands"))
    process.stderr.write(`Redis calls per email: ${JSON.stringify(result.commands)}\n`);
  console.log(
    JSON.stringify({ deliverPerSec: result.deliverPerSec, deliverWorkerCpuUsPerJob: result.workerCpuUsPerJob }),
  );
}
