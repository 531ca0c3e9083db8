// Durable pushes (waitReplicas / REDIS_WAIT_REPLICAS): a push resolves only once WAIT has seen it
// on enough replicas, and says plainly when it has not, on a real master and replica.
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotReplicatedError, Queue, replicationFromEnv } from "../src/index.ts";
import { queueName } from "./setup.ts";

let master: RedisServerHandle;
let replica: RedisServerHandle;
let redis: Redis;
let replicaRedis: Redis;

beforeAll(async () => {
  master = await startRedisServer();
  replica = await startRedisServer({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
  redis = new Redis(master.url, { maxRetriesPerRequest: null });
  replicaRedis = new Redis(replica.url, { maxRetriesPerRequest: null });
  replicaRedis.on("error", () => {}); // the replica is killed on purpose below
  await waitFor(async () => (await replicaRedis.info("replication")).includes("master_link_status:up"), {
    message: "the replica's link",
  });
});
afterAll(async () => {
  redis?.disconnect();
  replicaRedis?.disconnect();
  await replica?.stop();
  await master?.stop();
});

describe("waitReplicas", () => {
  it("resolves once the replica holds the job: single, delayed, idempotent and bulk pushes", async () => {
    const queue = new Queue(queueName("durable"), { connection: redis, waitReplicas: 1 });
    const { id } = await queue.push({ type: "t" });
    await queue.push({ type: "later" }, { delayMs: 60_000 });
    const first = await queue.push({ type: "once" }, { idempotencyKey: "k" });
    expect((await queue.push({ type: "once" }, { idempotencyKey: "k" })).duplicate).toBe(true);
    const bulk = await queue.pushBulk(
      Array.from({ length: 2_500 }, () => ({ type: "b" })),
      { chunkSize: 100 },
    );
    // Read from the replica straight after: WAIT already made it hold everything.
    const pending = await replicaRedis.lrange(queue.keys.pending, 0, -1);
    expect(pending.some((raw) => raw.includes(id))).toBe(true);
    expect(pending.some((raw) => raw.includes(first.id))).toBe(true);
    expect(pending.length).toBe(2 + bulk.count);
    expect(await replicaRedis.zcard(queue.keys.delayed)).toBe(1);
  });

  it("rejects with NotReplicatedError when no replica confirms in time; the job was written", async () => {
    const queue = new Queue(queueName("undurable"), { connection: redis, waitReplicas: 1, waitTimeoutMs: 200 });
    await replica.stopProcess("SIGKILL");
    try {
      await waitFor(async () => (await redis.info("replication")).includes("connected_slaves:0"), {
        message: "the master to notice its replica is gone",
      });
      const started = Date.now();
      const error = await queue.push({ type: "t" }, { id: "unconfirmed" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotReplicatedError);
      expect(error).toMatchObject({ jobIds: ["unconfirmed"], replicas: 0, required: 1 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await redis.lrange(queue.keys.pending, 0, -1)).toHaveLength(1);
      await expect(queue.pushBulk([{ type: "b" }])).rejects.toBeInstanceOf(NotReplicatedError);
      await expect(queue.push({ type: "o" }, { idempotencyKey: "k" })).rejects.toBeInstanceOf(NotReplicatedError);
      // Per push, durability can be waived.
      expect((await queue.push({ type: "t" }, { waitReplicas: 0 })).duplicate).toBe(false);
    } finally {
      await replica.startProcess();
    }
  });

  it("reads REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS, and names a bad value", () => {
    expect(replicationFromEnv({})).toEqual({ waitReplicas: 0, waitTimeoutMs: 1_000 });
    expect(replicationFromEnv({ REDIS_WAIT_REPLICAS: "2", REDIS_WAIT_TIMEOUT_MS: "250" })).toEqual({
      waitReplicas: 2,
      waitTimeoutMs: 250,
    });
    expect(() => replicationFromEnv({ REDIS_WAIT_REPLICAS: "-1" })).toThrow(/REDIS_WAIT_REPLICAS must be an integer/);
    expect(() => replicationFromEnv({ REDIS_WAIT_TIMEOUT_MS: "soon" })).toThrow(/REDIS_WAIT_TIMEOUT_MS/);
  });
});
