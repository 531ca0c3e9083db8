// An idle worker waits in a blocking pop with its claim queued right behind it on the same
// connection, so a job pushed to an empty queue is taken in without a second round trip; the
// claim may then run after the de-duplication window it was sent in has ended.
import { connect } from "node:net";
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { claimJobs, heartbeat } from "../src/scripts.ts";
import { blockedClient } from "./fixtures/blocked-client.ts";
import { claimArgsFor } from "./fixtures/claim-args.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const isBlocked = () => blockedClient(t.redis);

/** MONITOR on a raw socket (ioredis's monitor mode mismatches replies here): each command's source and words. */
function monitor(url: string, seen: (source: string, line: string) => void): { stop(): void } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname, () => socket.write("MONITOR\r\n"));
  let partial = "";
  socket.on("data", (chunk) => {
    const lines = (partial + chunk.toString()).split("\r\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const match = /^\+[\d.]+ \[\d+ (\S+)\] (.*)$/.exec(line);
      if (match) seen(match[1] as string, match[2] as string);
    }
  });
  socket.on("error", () => {});
  return { stop: () => socket.destroy() };
}

describe("the claim behind the blocking pop", () => {
  it("is sent on the blocked connection and takes the pushed job in, once", async () => {
    const name = queueName("idle");
    const queue = new Queue(name, { connection: t.redis });
    const started: string[] = [];
    const worker = createWorker(name, async (job) => void started.push(job.id), {
      connection: t.connect(),
      concurrency: 4,
      blockTimeoutSeconds: 30, // no timed-out pop (and the claim after it) during the test
    });
    const claims: string[] = [];
    let watching: { stop(): void } | null = null;
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      const blocked = await isBlocked();
      watching = monitor(t.server.url, (source, line) => {
        // EVAL the first time on a connection, EVALSHA after; the claim's first key is the queue.
        if (/^"eval(sha)?" /.test(line) && line.includes(`"8" "${queue.keys.pending}" `)) claims.push(source);
      });
      // MONITOR is on (flag O) before the push.
      await waitFor(async () => / flags=O /.test((await t.redis.client("LIST")) as string), { timeoutMs: 5_000 });
      const { id } = await queue.push({ type: "x" });
      await waitFor(() => started.length === 1, { timeoutMs: 10_000, message: "job never started" });
      await waitFor(() => claims.length > 0, { timeoutMs: 5_000, message: "no claim seen" });
      // The first claim after the push came from the connection that was blocked, not the main one.
      expect(claims[0]).toBe(blocked);
      await waitFor(async () => (await queue.stats()).processed === 1, { timeoutMs: 5_000 });
      expect(started).toEqual([id]);
    } finally {
      watching?.stop();
      await worker.close();
    }
  });

  it("a rate-limited worker takes its tokens after the pop and still runs what was pushed", async () => {
    const name = queueName("idle-limited");
    const queue = new Queue(name, { connection: t.redis });
    const started: string[] = [];
    const worker = createWorker(name, async (job) => void started.push(job.id), {
      connection: t.connect(),
      concurrency: 4,
      limiter: { max: 100, durationMs: 1_000 },
    });
    try {
      await waitFor(isBlocked, { timeoutMs: 10_000, message: "worker never blocked" });
      const ids = [(await queue.push({ type: "x" })).id, (await queue.push({ type: "x" })).id];
      await waitFor(() => started.length === 2, { timeoutMs: 10_000, message: "jobs never started" });
      expect(started.sort()).toEqual(ids.sort());
    } finally {
      await worker.close();
    }
  });

  it("checks the next window's delivered ids when it is given one", async () => {
    const queue = new Queue(queueName("next-window"), { connection: t.redis });
    await heartbeat(t.redis, {
      workers: queue.keys.workers,
      info: queue.keys.workerInfo("w1"),
      meta: queue.keys.meta,
      workerId: "w1",
      leaseMs: 30_000,
      infoTtlSeconds: 60,
      firstBeat: true,
      fields: {},
    });
    // Windows 1 and 0 are the claim's; 2 began after it was sent.
    const args = claimArgsFor(queue, "w1", 10);
    // Delivered just after the window the claim was sent in had ended.
    await t.redis.sadd(queue.keys.done(2), "late-1");
    const copy = JSON.stringify({ id: "late-1", type: "x", data: {} });
    await t.redis.rpush(queue.keys.pending, copy);
    expect(await claimJobs(t.redis, { ...args, doneNext: queue.keys.done(2) })).toEqual([]);
    expect(await t.redis.hget(queue.keys.stats, "duplicates")).toBe("1");
    // Without it the copy would run again.
    await t.redis.rpush(queue.keys.pending, copy);
    const claimed = await claimJobs(t.redis, args);
    expect(typeof claimed === "string" ? claimed : claimed.map((held) => held.field)).toEqual(["late-1"]);
  });
});
