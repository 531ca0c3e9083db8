// Crash recovery. Deterministic: put Redis in the state a crashed worker leaves behind, then let
// a live worker rescue it. End to end: kill -9 a real worker process in the middle of a job.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { spawnWorker } from "./fixtures/spawn-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

async function leaveCrashedWorker(queue: Queue, deadId: string, payloads: string[], landed: string[] = []) {
  await t.redis.zadd(queue.keys.workers, Date.now() - 1, deadId);
  for (const payload of payloads) await t.redis.hset(queue.keys.active(deadId), JSON.parse(payload).id, payload);
  if (landed.length > 0) await t.redis.rpush(queue.keys.landing(deadId), ...landed);
}

describe("recovery of a dead worker's jobs", () => {
  it("hands the in-flight jobs back, counting the attempt", async () => {
    const name = queueName("rescue");
    const queue = new Queue(name, { connection: t.redis });
    // "b" was popped by the dead worker's blocking pop, not yet taken in by a claim.
    await leaveCrashedWorker(
      queue,
      "dead-1",
      [JSON.stringify({ id: "a", type: "x", data: {}, attempts: 0 })],
      [JSON.stringify({ id: "b", type: "x", data: {}, attempts: 1 })],
    );
    const seen: { id: string; attempts: number; lastError?: string }[] = [];
    workers.push(
      createWorker(
        name,
        async (job) => void seen.push({ id: job.id, attempts: job.attempts, lastError: job.lastError }),
        { connection: t.connect() },
      ),
    );
    await waitFor(() => seen.length === 2);
    expect(seen.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: "a", attempts: 1, lastError: expect.stringMatching(/dead-1 stopped/) },
      { id: "b", attempts: 2, lastError: expect.stringMatching(/dead-1 stopped/) },
    ]);
    expect(await t.redis.exists(queue.keys.active("dead-1"), queue.keys.landing("dead-1"))).toBe(0);
    expect(await t.redis.zscore(queue.keys.workers, "dead-1")).toBeNull();
    expect((await queue.stats()).recovered).toBe(2);
  });

  it("does not touch a worker whose lease is still valid", async () => {
    const name = queueName("alive");
    const queue = new Queue(name, { connection: t.redis });
    await t.redis.zadd(queue.keys.workers, Date.now() + 60_000, "alive-1");
    await t.redis.hset(
      queue.keys.active("alive-1"),
      "busy",
      JSON.stringify({ id: "busy", type: "x", data: {}, attempts: 0 }),
    );
    let runs = 0;
    workers.push(createWorker(name, async () => void runs++, { connection: t.connect() }));
    await queue.push({ type: "x" });
    await waitFor(() => runs === 1);
    await new Promise((r) => setTimeout(r, 1_200)); // one maintenance round
    expect(await t.redis.hlen(queue.keys.active("alive-1"))).toBe(1);
  });

  it("dead-letters a poison job that takes its worker down every time", async () => {
    const name = queueName("poison");
    const queue = new Queue(name, { connection: t.redis });
    // Third crash: attempts 2 -> 3 reaches the limit of 3.
    await leaveCrashedWorker(queue, "dead-2", [JSON.stringify({ id: "poison", type: "x", data: {}, attempts: 2 })]);
    let runs = 0;
    workers.push(createWorker(name, async () => void runs++, { connection: t.connect(), maxAttempts: 3 }));
    await waitFor(async () => (await queue.dlq.get("poison")) !== null);
    expect(await queue.dlq.get("poison")).toMatchObject({ reason: "lost", attempts: 3 });
    expect(runs).toBe(0);
  });

  it("runs a job again, attempt counted, after its worker process is killed with SIGKILL mid-job (default lease)", async () => {
    const name = queueName("kill");
    const queue = new Queue(name, { connection: t.redis });
    const env = { REDIS_URL: t.server.url, QUEUE: name };
    const victim = await spawnWorker({ ...env, MODE: "hang" });
    const { id } = await queue.push({ type: "x" });
    await waitFor(async () => (await t.redis.llen(`probe:${name}:starts`)) === 1, { message: "job started in victim" });
    victim.child.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    const rescuer = await spawnWorker({ ...env, MODE: "record" });
    await waitFor(async () => (await t.redis.hget(`probe:${name}:runs`, id)) === "1", {
      timeoutMs: 15_000,
      message: "job re-run",
    });
    const recoveredIn = Date.now() - killedAt;
    expect(recoveredIn).toBeLessThan(10_000);
    const starts = await t.redis.lrange(`probe:${name}:starts`, 0, -1);
    expect(starts.map((s) => s.split(":").slice(0, 2).join(":"))).toEqual([`${id}:0`, `${id}:1`]);
    // The handler records its run before the worker acks it: wait for the ack to land.
    await waitFor(async () => (await queue.stats()).processed === 1, { message: "the re-run acked" });
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, dead: 0, processed: 1, recovered: 1 });
    rescuer.child.kill("SIGTERM");
    expect(await rescuer.exited).toBe(0);
  });

  it("ends a job that kills every worker process in the dead-letter list", async () => {
    const name = queueName("killer");
    const queue = new Queue(name, { connection: t.redis });
    const env = { REDIS_URL: t.server.url, QUEUE: name, MODE: "crash", LEASE_MS: "1500", MAX_ATTEMPTS: "3" };
    const { id } = await queue.push({ type: "poison" });
    await queue.push({ type: "fine" });
    // Keep a worker alive at all times, as a process manager would.
    for (let round = 0; round < 6 && !(await queue.dlq.get(id)); round++) {
      const worker = await spawnWorker(env);
      await Promise.race([
        worker.exited,
        waitFor(async () => (await queue.dlq.get(id)) !== null, { timeoutMs: 20_000 }).catch(() => {}),
      ]);
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    expect(await queue.dlq.get(id)).toMatchObject({ reason: "lost", attempts: 3 });
    expect(await t.redis.llen(`probe:${name}:starts`)).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
