// Fencing: a worker whose lease was taken can neither claim, start, ack nor retry what it held.
// Deterministic: build the rescued state in Redis and call the scripts. End to end: SIGSTOP a
// real worker process past its lease while another runs, SIGCONT it, and count every run.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { Queue } from "../src/index.ts";
import { claimJobs, heartbeat } from "../src/scripts.ts";
import { claimArgsFor as claimArgs } from "./fixtures/claim-args.ts";
import { spawnWorker } from "./fixtures/spawn-worker.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("fenced scripts", () => {
  it("a claim without a live lease takes nothing and puts a landed job back at the head", async () => {
    const queue = new Queue(queueName("fence"), { connection: t.redis });
    await queue.pushBulk([{ type: "x" }, { type: "x" }], { track: false });
    const landed = JSON.stringify({ id: "landed-1", type: "x", data: {} });
    await t.redis.rpush(queue.keys.landing("gone"), landed);
    expect(await claimJobs(t.redis, claimArgs(queue, "gone", 10))).toBe("lease");
    // An expired lease (not yet rescued) is not live either.
    await t.redis.zadd(queue.keys.workers, Date.now() - 10, "gone");
    expect(await claimJobs(t.redis, claimArgs(queue, "gone", 10))).toBe("lease");
    expect(await t.redis.lindex(queue.keys.pending, 0)).toBe(landed);
    expect(await t.redis.llen(queue.keys.pending)).toBe(3);
    expect(await t.redis.exists(queue.keys.active("gone"))).toBe(0);
  });

  it("a heartbeat does not renew a lease that was taken", async () => {
    const queue = new Queue(queueName("beat"), { connection: t.redis });
    const beat = (firstBeat: boolean) =>
      heartbeat(t.redis, {
        workers: queue.keys.workers,
        info: queue.keys.workerInfo("w1"),
        meta: queue.keys.meta,
        workerId: "w1",
        leaseMs: 5_000,
        infoTtlSeconds: 10,
        firstBeat,
        fields: {},
      });
    expect(await beat(true)).toEqual({ pausedReason: null, lost: false });
    await t.redis.zrem(queue.keys.workers, "w1"); // what a rescuer does
    expect(await beat(false)).toEqual({ pausedReason: null, lost: true });
    expect(await t.redis.zscore(queue.keys.workers, "w1")).toBeNull();
  });
});

describe("a worker frozen past its lease (SIGSTOP, SIGCONT)", () => {
  it("runs again only jobs that were inside a handler or awaiting their ack at the freeze", async () => {
    const name = queueName("frozen");
    const queue = new Queue(name, { connection: t.redis });
    const env = { REDIS_URL: t.server.url, QUEUE: name, MODE: "slow", SLOW_MS: "150", LEASE_MS: "1500" };
    const frozen = await spawnWorker({ ...env, CONCURRENCY: "5" });
    const { ids } = await queue.pushBulk(Array.from({ length: 400 }, (_, i) => ({ type: "x", data: { i } })));
    await waitFor(async () => (await t.redis.hlen(`probe:${name}:runs`)) >= 10, { message: "first jobs done" });
    const other = await spawnWorker({ ...env, CONCURRENCY: "20" });
    frozen.child.kill("SIGSTOP");
    await new Promise((resolve) => setTimeout(resolve, 200)); // commands already on the wire land
    const pid = String(frozen.child.pid);
    // Started there and not acked: inside a handler, or finished with its ack not yet written
    // (the probe records a run before the worker acks it). Either may run again, and no other.
    const heldAtFreeze = new Set(await queue.heldBy(frozen.id));
    const startsAtFreeze = await t.redis.lrange(`probe:${name}:starts`, 0, -1);
    const insideHandler = new Set(
      startsAtFreeze
        .map((s) => s.split(":"))
        .flatMap(([id, , by]) => (by === pid && id && heldAtFreeze.has(id) ? [id] : [])),
    );
    // The other worker rescues the frozen one's jobs once its lease expires, and runs every job.
    await waitFor(async () => (await t.redis.zscore(queue.keys.workers, frozen.id)) === null, {
      timeoutMs: 15_000,
      message: "frozen worker's lease taken",
    });
    await waitFor(async () => (await t.redis.hlen(`probe:${name}:runs`)) === ids.length, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: "every job ran while the first worker was frozen",
    });
    frozen.child.kill("SIGCONT");
    // The handlers that were running at the freeze finish now: those are the allowed second runs.
    await waitFor(
      async () => {
        const runs = await t.redis.hmget(`probe:${name}:runs`, ...insideHandler);
        return runs.every((n) => n === "2");
      },
      { timeoutMs: 15_000, message: "handlers caught in the freeze finished" },
    );
    for (const p of [frozen, other]) p.child.kill("SIGTERM");
    expect(await Promise.all([frozen.exited, other.exited])).toEqual([0, 0]);
    const runs = await t.redis.hgetall(`probe:${name}:runs`);
    const twice = Object.entries(runs).flatMap(([id, n]) => (Number(n) > 1 ? [id] : []));
    for (const id of twice) expect(insideHandler.has(id), `${id} ran twice but was not in a handler`).toBe(true);
    // Its concurrency (5) in handlers, plus finished ones whose group-committed ack was on its way.
    expect(twice.length).toBeLessThanOrEqual(10);
    expect(twice.length).toBe(insideHandler.size);
    expect(Object.values(runs).every((n) => Number(n) <= 2)).toBe(true);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, dead: 0 });
  }, 90_000);
});
