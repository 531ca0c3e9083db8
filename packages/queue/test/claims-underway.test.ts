// A busy worker with a backlog sends its next claim while the previous one is still underway.
// Whatever happens to those replies (connections cut, Redis frozen), every job runs once and
// nothing stays in the worker's hashes.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 1_000 })));
});

const JOBS = 30_000;

async function backlog(name: string): Promise<{ queue: Queue; ids: string[] }> {
  const queue = new Queue(name, { connection: t.redis });
  const ids: string[] = [];
  for (let from = 0; from < JOBS; from += 1_000) {
    const { ids: chunk } = await queue.pushBulk(
      Array.from({ length: 1_000 }, (_, i) => ({ type: "x", data: { n: from + i } })),
    );
    ids.push(...chunk);
  }
  return { queue, ids };
}

function countingWorker(name: string): { worker: Worker; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const worker = createWorker(name, async (job) => void runs.set(job.id, (runs.get(job.id) ?? 0) + 1), {
    connection: t.connect(),
    concurrency: 50,
  });
  workers.push(worker);
  return { worker, runs };
}

async function expectEachRanOnce(name: string, queue: Queue, ids: string[], runs: Map<string, number>, worker: Worker) {
  await waitFor(() => runs.size === JOBS, { timeoutMs: 60_000, message: `all ${JOBS} jobs ran (${runs.size})` });
  await worker.close();
  const twice = [...runs].filter(([, count]) => count > 1);
  expect(twice).toEqual([]);
  expect(ids.every((id) => runs.has(id))).toBe(true);
  expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, processed: JOBS, dead: 0 });
  expect(await t.redis.keys(`queue:{${name}}:active:*`)).toEqual([]);
  expect(await t.redis.keys(`queue:{${name}}:landing:*`)).toEqual([]);
}

describe("claims sent ahead", () => {
  it("every job runs once while the worker's connection is cut again and again mid-stream", async () => {
    const name = queueName("cuts");
    const { queue, ids } = await backlog(name);
    const { worker, runs } = countingWorker(name);
    let lost = 0;
    worker.on("lost", (count: number) => (lost += count));
    let cuts = 0;
    const cutter = setInterval(() => {
      if (runs.size > 0 && runs.size < JOBS && cuts < 15) {
        cuts++;
        // Every client but the test's own: replies to claims underway and acks are lost on the way.
        void t.redis.client("KILL", "SKIPME", "yes").catch(() => {});
      }
    }, 25);
    try {
      await expectEachRanOnce(name, queue, ids, runs, worker);
    } finally {
      clearInterval(cutter);
    }
    expect(cuts).toBeGreaterThan(0);
    // An ack Redis ran before the cut is sent again after it: a replay, not a job that ran twice.
    expect(lost).toBe(0);
    expect((await queue.stats()).lateAcks).toBe(0);
  }, 90_000);

  it("every job runs once when Redis is frozen (SIGSTOP) under a busy worker and resumed", async () => {
    const name = queueName("frozen");
    const { queue, ids } = await backlog(name);
    const { worker, runs } = countingWorker(name);
    await waitFor(() => runs.size > 2_000, { message: "worker under way" });
    t.server.signal("SIGSTOP");
    await new Promise((r) => setTimeout(r, 1_500)); // well inside the 6 s lease
    t.server.signal("SIGCONT");
    await expectEachRanOnce(name, queue, ids, runs, worker);
  }, 90_000);
});
