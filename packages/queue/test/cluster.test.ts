// Every key of a queue shares one hash tag, so the engine runs unchanged on Redis Cluster.
import { type RedisClusterHandle, startRedisCluster, waitFor } from "@notify/testing";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, PermanentError, Queue, redisInfo } from "../src/index.ts";
import { getMessage, recordAttempts, recordTrackingHit, searchMessages } from "../src/notifications/index.ts";

let cluster: RedisClusterHandle;
const clients: Cluster[] = [];
const connect = () => {
  const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  client.on("error", () => {});
  clients.push(client);
  return client;
};

beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

describe("Redis Cluster (three masters)", () => {
  it("pushes, claims, acks, retries, delays, dead-letters, pauses and reports across slots", async () => {
    const redis = connect();
    const names = ["email", "sms", "reports"];
    const seen = new Map<string, string[]>();
    const workers = names.map((name) =>
      createWorker(
        name,
        async (job) => {
          if (job.type === "bad") throw new PermanentError("bad job");
          if (job.type === "flaky" && job.attempts === 0) throw new Error("flaky once");
          seen.set(name, [...(seen.get(name) ?? []), job.id]);
        },
        { connection: connect(), backoff: { type: "fixed", delayMs: 50 } },
      ),
    );
    const queues = names.map((name) => new Queue(name, { connection: redis }));
    for (const queue of queues) {
      await queue.pushBulk(Array.from({ length: 100 }, () => ({ type: "ok" })));
      await queue.push({ type: "later" }, { delayMs: 200 });
      await queue.push({ type: "flaky" });
      await queue.push({ type: "bad" });
      await queue.push({ type: "once" }, { idempotencyKey: "k1" });
      expect((await queue.push({ type: "once" }, { idempotencyKey: "k1" })).duplicate).toBe(true);
    }
    for (const queue of queues) {
      await waitFor(async () => (await queue.stats()).processed === 103, {
        timeoutMs: 20_000,
        message: `${queue.name} processed`,
      });
      expect(await queue.stats()).toMatchObject({ dead: 1, pending: 0, delayed: 0, retried: 1 });
      expect((await queue.dlq.list()).entries[0]?.error).toBe("bad job");
      expect(await queue.dlq.retryAll()).toBe(1);
    }
    // The queues really live on different masters, so this was not a single-node run in disguise.
    const keysPerMaster = await Promise.all(redis.nodes("master").map((node) => node.dbsize()));
    expect(keysPerMaster.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    await queues[0]?.pause();
    expect((await queues[0]?.isPaused())?.paused).toBe(true);
    const info = await redisInfo(redis);
    expect(info.mode).toBe("cluster");
    expect(info.keys).toBeGreaterThan(0);
    await Promise.all(workers.map((w) => w.close()));
  }, 60_000);

  it("runs the email layer's multi-key scripts: a grouped message-log write and tracking hits", async () => {
    const redis = connect();
    const now = Date.now();
    const attempts = ["c1", "c2", "c3"].map((id, i) => ({
      job: {
        id,
        type: "welcome",
        to: `c${i}@example.com`,
        data: {},
        attempts: 0,
        batchId: "cluster-batch",
        createdAt: now,
      },
      queue: "email",
      channel: "email" as const,
      attempt: {
        startedAt: now,
        endedAt: now + 5,
        outcome: "sent" as const,
        provider: "sendgrid",
        providerMessageId: `pm-${id}`,
      },
    }));
    expect((await recordAttempts(redis, attempts)).map((m) => m.status)).toEqual(["sent", "sent", "sent"]);
    expect((await searchMessages(redis, { batchId: "cluster-batch" })).total).toBe(3);
    expect(await getMessage(redis, "c2")).toMatchObject({ status: "sent", providerMessageId: "pm-c2" });
    expect(await recordTrackingHit(redis, { kind: "open", jobId: "c1" }, now)).toBe(true);
    expect(await recordTrackingHit(redis, { kind: "open", jobId: "c1" }, now)).toBe(false);
    expect(await recordTrackingHit(redis, { kind: "open", jobId: "c2", batchId: "cluster-batch" }, now)).toBe(true);
    expect(await recordTrackingHit(redis, { kind: "open", jobId: "c2", batchId: "cluster-batch" }, now)).toBe(false);
  });
});
