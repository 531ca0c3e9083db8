// Connections that stay open but carry nothing (no reset, no close): the worker must notice by
// itself and reconnect, not wait the many minutes TCP takes to give up.
import { waitFor } from "@notify/testing";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { untilSomeWorkerBlocks } from "./fixtures/blocked-client.ts";
import { type SilentProxy, startSilentProxy } from "./fixtures/silent-proxy.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let proxy: SilentProxy | null = null;
const workers: Worker[] = [];
const connections: Redis[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 500 })));
  for (const connection of connections.splice(0)) connection.disconnect();
  await proxy?.close();
  proxy = null;
});

async function workerBehindProxy(name: string, handler: () => Promise<void>): Promise<Worker> {
  proxy = await startSilentProxy(t.server.port);
  const connection = new Redis(proxy.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  connection.on("error", () => {});
  connections.push(connection);
  // A 2 s lease: heartbeats every 400 ms, and silence is noticed after 2 s.
  const worker = createWorker(name, handler, { connection, concurrency: 5, leaseMs: 2_000 });
  workers.push(worker);
  await worker.start();
  return worker;
}

describe("connections gone silent", () => {
  it("a busy worker reconnects and every job runs", async () => {
    const name = queueName("silent-busy");
    const queue = new Queue(name, { connection: t.redis });
    const ran = new Set<string>();
    await workerBehindProxy(name, async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
    workers[0]?.on("completed", (job) => ran.add(job.id));
    const { ids } = await queue.pushBulk(Array.from({ length: 400 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(() => ran.size >= 50, { message: "worker under way" });
    proxy?.silenceAll();
    await waitFor(() => ids.every((id) => ran.has(id)), {
      timeoutMs: 30_000,
      message: "every job ran after the silence",
    });
    await waitFor(async () => (await queue.stats()).active === 0, { timeoutMs: 10_000, message: "nothing left held" });
    expect((await queue.stats()).pending).toBe(0);
  }, 60_000);

  it("an idle worker blocked on an empty queue reconnects and takes a job pushed after the silence", async () => {
    const name = queueName("silent-idle");
    const queue = new Queue(name, { connection: t.redis });
    const ran: string[] = [];
    const worker = await workerBehindProxy(name, async () => {});
    worker.on("completed", (job) => ran.push(job.id));
    await untilSomeWorkerBlocks(t.redis);
    proxy?.silenceAll();
    const { id } = await queue.push({ type: "x" });
    await waitFor(() => ran.includes(id), { timeoutMs: 30_000, message: "the job ran after the silence" });
  }, 60_000);
});
