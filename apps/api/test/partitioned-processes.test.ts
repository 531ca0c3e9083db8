// QUEUE_PARTITIONS=email=3 end to end with real processes: the Bun API enqueues into three
// partitions, its drain, pause, stats and dead-letter paths cover all three, and two real email
// worker processes consume every partition, each email delivered once. A worker started with
// another count stops with one line instead of consuming partitions nobody produces to.
import { fileURLToPath } from "node:url";
import { createNotifyClient } from "@notify/client";
import { createRedis, partitionNames, Queue, queueKeys, type RedisConnection } from "@notify/queue";
import {
  type BunServer,
  ProviderStandIn,
  type RedisServerHandle,
  startBunServer,
  startRedisServer,
  waitFor,
} from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BunApi, startBunApi } from "./support/bun-process.ts";
import { ADMIN_TOKEN, SERVICE_KEY } from "./support/harness.ts";

const EMAIL_WORKER = fileURLToPath(new URL("../../workers/src/email-worker.ts", import.meta.url));
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.partitions" });
let redisServer: RedisServerHandle;
let redis: RedisConnection;
let api: BunApi;
const workers: BunServer[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = createRedis(redisServer.url);
  await standIn.start();
  env = {
    REDIS_URL: redisServer.url,
    QUEUE_PARTITIONS: "email=3",
    SENDGRID_API_KEY: "SG.partitions",
    SENDGRID_BASE_URL: standIn.url,
    NOTIFY_DEV: "1",
  };
  api = await startBunApi({ ...env, API_KEYS: SERVICE_KEY, ADMIN_TOKEN, HEALTH_REQUIRE_WORKERS: "false" });
}, 60_000);
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await api?.stop();
  redis?.disconnect();
  await standIn.stop();
  await redisServer?.stop();
});

const startEmailWorker = (overrides: Record<string, string> = {}) =>
  startBunServer({ entry: EMAIL_WORKER, env: { ...env, ...overrides }, listening: '"msg":"worker started"' });

describe("a partitioned email queue through the API and worker processes", () => {
  it("enqueues into every partition, drains, pauses and dead-letters all of them", async () => {
    const service = createNotifyClient({ url: api.url, apiKey: SERVICE_KEY });
    const admin = createNotifyClient({ url: api.url, apiKey: ADMIN_TOKEN });
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) {
      const sent = await service.email.send.mutate({ template: "welcome", to: `p${i}@example.com`, data: {} });
      ids.push(sent.jobId);
    }
    const email = new Queue("email", { connection: redis, partitions: 3 });
    const pendingOf = () => Promise.all(email.partitions.map(async (part) => (await part.stats()).pending));
    // Round-robin from a random start: five each.
    expect(await pendingOf()).toEqual([5, 5, 5]);
    expect(await admin.queues.stats.query({ queue: "email" })).toMatchObject({ partitions: 3, pending: 15 });

    // The drain takes from every partition, not only the first.
    const drained = await admin.workers.drain.mutate({ queue: "email", limit: 6 });
    expect(drained).toMatchObject({ processed: 6, remaining: 9 });
    expect(await pendingOf()).toEqual([3, 3, 3]);

    await admin.queues.pause.mutate({ queue: "email", reason: "partitions test" });
    expect(await Promise.all(email.partitions.map(async (part) => (await part.isPaused()).paused))).toEqual([
      true,
      true,
      true,
    ]);
    workers.push(...(await Promise.all([startEmailWorker(), startEmailWorker()])));
    expect(workers[0]?.output()).toContain('"partitions":3');
    await admin.queues.resume.mutate({ queue: "email" });
    await waitFor(() => ids.every((id) => standIn.deliveriesOf(id) >= 1), {
      timeoutMs: 20_000,
      message: "every email delivered",
    });
    expect(ids.filter((id) => standIn.deliveriesOf(id) !== 1)).toEqual([]);
    await waitFor(async () => (await admin.queues.stats.query({ queue: "email" })).processed === 15, {
      message: "15 processed over the partitions",
    });
    expect((await Promise.all(email.partitions.map((part) => part.stats()))).map((s) => s.processed)).toEqual([
      5, 5, 5,
    ]);

    // An unparseable job pushed straight into each partition is dead-lettered there; the admin's
    // dead-letter list and purge see all three.
    for (const physical of partitionNames("email", 3)) await redis.rpush(queueKeys(physical).pending, "{not json");
    await waitFor(async () => (await admin.dlq.list.query({ queue: "email" })).total === 3, {
      message: "three dead letters, one per partition",
    });
    expect(await admin.dlq.purge.mutate({ queue: "email" })).toEqual({ purged: 3 });
    expect((await admin.queues.stats.query({ queue: "email" })).dead).toBe(0);
  }, 60_000);

  it("a worker started before the queue was partitioned takes up every partition once it is", async () => {
    const fresh = await startRedisServer();
    const freshRedis = createRedis(fresh.url);
    const early = await startBunServer({
      entry: EMAIL_WORKER,
      env: { ...env, REDIS_URL: fresh.url, QUEUE_PARTITIONS: "" },
      listening: '"msg":"worker started"',
    });
    try {
      expect(early.output()).toContain('"partitions":1');
      // A producer that knows the count registers it and spreads the jobs over three partitions.
      const email = new Queue("email", { connection: freshRedis, partitions: 3 });
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const pushed = await email.push({ type: "welcome", to: `late${i}@example.com`, data: {} });
        ids.push(pushed.id);
      }
      await waitFor(() => ids.every((id) => standIn.deliveriesOf(id) >= 1), {
        timeoutMs: 20_000,
        message: () => `every email delivered; worker said:\n${early.output().slice(-2000)}`,
      });
      expect(ids.filter((id) => standIn.deliveriesOf(id) !== 1)).toEqual([]);
      expect(early.output()).toContain("queue was partitioned: consuming every partition now");
    } finally {
      await early.stop();
      freshRedis.disconnect();
      await fresh.stop();
    }
  }, 60_000);

  it("refuses a worker whose count disagrees with the registered one", async () => {
    const wrong = startEmailWorker({ QUEUE_PARTITIONS: "email=2" });
    await expect(wrong).rejects.toThrow(/exited with 1[\s\S]*QUEUE_PARTITIONS queue email is registered with 3/);
  });
});
