// After Redis restarts or a connection is cut, idle and busy workers resume by themselves
// (the silent hang BullMQ users report must not happen here).
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { untilSomeWorkerBlocks } from "./fixtures/blocked-client.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis({ appendOnly: true });
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 1_000 })));
});

describe("outages", () => {
  it("an idle worker and a busy worker both resume after a Redis restart; no accepted job is lost", async () => {
    const idleName = queueName("idle");
    const busyName = queueName("busy");
    const idleQueue = new Queue(idleName, { connection: t.redis });
    const busyQueue = new Queue(busyName, { connection: t.redis });
    const seen = { idle: new Set<string>(), busy: new Set<string>() };
    workers.push(createWorker(idleName, async (job) => void seen.idle.add(job.id), { connection: t.connect() }));
    workers.push(
      createWorker(
        busyName,
        async (job) => {
          await new Promise((r) => setTimeout(r, 2));
          seen.busy.add(job.id);
        },
        { connection: t.connect(), concurrency: 5 },
      ),
    );
    await Promise.all(workers.map((w) => w.start()));
    const { ids: busyIds } = await busyQueue.pushBulk(Array.from({ length: 3_000 }, () => ({ type: "x" })));
    await waitFor(() => seen.busy.size > 100, { message: "busy worker under way" });
    await t.server.restart({ downMs: 500 });
    const { id: idleId } = await idleQueue.push({ type: "x" });
    await waitFor(() => seen.idle.has(idleId), { timeoutMs: 15_000, message: "idle worker resumed" });
    await waitFor(() => busyIds.every((id) => seen.busy.has(id)), {
      timeoutMs: 30_000,
      message: "every busy job ran",
    }).catch(async (e) => {
      const missing = busyIds.filter((id) => !seen.busy.has(id));
      const keys = await t.redis.keys(`queue:{${busyName}}*`);
      const detail: Record<string, unknown> = {
        missing: missing.length,
        sample: missing.slice(0, 3),
        stats: await busyQueue.stats(),
        keys,
      };
      for (const id of missing.slice(0, 3)) detail[id] = await busyQueue.getJob(id);
      console.log("DEBUG", JSON.stringify(detail, null, 1));
      throw e;
    });
    expect((await busyQueue.stats()).pending).toBe(0);
  }, 60_000);

  it("resumes after its connections are killed from the server side", async () => {
    const name = queueName("cut");
    const queue = new Queue(name, { connection: t.redis });
    const seen: string[] = [];
    workers.push(createWorker(name, async (job) => void seen.push(job.id), { connection: t.connect() }));
    await workers[0]?.start();
    await untilSomeWorkerBlocks(t.redis);
    // Kill every client but this test's own connection, blocked pop included.
    await t.redis.client("KILL", "SKIPME", "yes");
    const { id } = await queue.push({ type: "x" });
    await waitFor(() => seen.includes(id), { timeoutMs: 15_000, message: "job ran after the cut" });
  }, 30_000);
});
