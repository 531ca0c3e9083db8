// The Bun API on Sentinel-managed Redis (REDIS_SENTINELS, REDIS_WAIT_REPLICAS=1): the master is
// killed with SIGKILL while a client keeps enqueueing; the API answers SERVICE_UNAVAILABLE while
// no replica can confirm a job, follows the promoted replica by itself, and every enqueue it
// acknowledged is in the queue afterwards. Two replicas: the promoted one keeps a replica for WAIT 1
// at once, without waiting for the killed master to return (Sentinel re-points the other replica as
// part of the failover, while a revived master is only reconfigured on its 10 s INFO cycle).
import { createRedis, type RedisConnection } from "@notify/queue";
import { type RedisSentinelHandle, startRedisSentinel } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BunApi, startBunApi } from "./support/bun-process.ts";
import { expectOnlyUnavailable, lostEnqueues, startEnqueueLoop } from "./support/failover-enqueues.ts";
import { SERVICE_KEY } from "./support/harness.ts";

let sentinel: RedisSentinelHandle;
let api: BunApi;
let redis: RedisConnection;

beforeAll(async () => {
  sentinel = await startRedisSentinel({ sentinels: 1, replicas: 2, masterName: "notify-api" });
  const sentinels = sentinel.sentinels.map(({ host, port }) => `${host}:${port}`);
  api = await startBunApi({
    REDIS_URL: "redis://unused-host:1",
    REDIS_SENTINELS: sentinels.join(","),
    REDIS_SENTINEL_NAME: sentinel.masterName,
    REDIS_WAIT_REPLICAS: "1",
    REDIS_WAIT_TIMEOUT_MS: "500",
    API_KEYS: SERVICE_KEY,
    NODE_ENV: "development",
    HEALTH_REQUIRE_WORKERS: "false",
  });
  redis = createRedis("redis://unused-host:1", {
    clusterNodes: [],
    sentinelNodes: sentinels,
    sentinelName: sentinel.masterName,
  });
  redis.on("error", () => {});
}, 60_000);
afterAll(async () => {
  if (api) await api.stop();
  redis?.disconnect();
  await sentinel?.stop();
});

describe("the API through a Sentinel failover", () => {
  it("keeps enqueueing by itself and loses no acknowledged job", async () => {
    const loop = startEnqueueLoop(api.url);
    await loop.acceptedSince(0, 50, 20_000);

    const victim = await sentinel.masterPort();
    const killedAt = Date.now();
    await sentinel.kill(victim);
    await sentinel.waitForNewMaster(victim, 30_000);
    await loop.acceptedSince(killedAt, 50, 60_000);
    await loop.stop();

    const report = await lostEnqueues(redis, loop, killedAt);
    console.log(JSON.stringify({ test: "api sentinel failover", ...report, lost: report.lost.length }));
    expect(report.lost).toEqual([]);
    expectOnlyUnavailable(report.refusals, api.output());
  }, 160_000);
});
