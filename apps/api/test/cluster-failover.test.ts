// The Bun API on Redis Cluster (3 masters, 3 replicas; REDIS_WAIT_REPLICAS=1): the master that
// holds the email queue's slot is killed with SIGKILL while a client keeps enqueueing. Nobody
// restarts or reconfigures the API: it follows the promoted replica by itself, answers
// SERVICE_UNAVAILABLE (never a 500) while no replica can confirm a job, and every enqueue it
// acknowledged is in the queue afterwards. The killed node is started again once replaced, as a
// supervisor would, so the new master has a replica for WAIT again.
import { createRedis, queueKeys, type RedisConnection } from "@notify/queue";
import { type ReplicatedClusterHandle, startReplicatedCluster, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BunApi, startBunApi } from "./support/bun-process.ts";
import { expectOnlyUnavailable, lostEnqueues, startEnqueueLoop } from "./support/failover-enqueues.ts";
import { SERVICE_KEY } from "./support/harness.ts";

let cluster: ReplicatedClusterHandle;
let api: BunApi;
let redis: RedisConnection;

beforeAll(async () => {
  cluster = await startReplicatedCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_500 });
  const nodes = cluster.nodes.map(({ host, port }) => `${host}:${port}`);
  api = await startBunApi({
    REDIS_URL: `redis://${nodes[0]}`,
    REDIS_CLUSTER_NODES: nodes.join(","),
    REDIS_WAIT_REPLICAS: "1",
    REDIS_WAIT_TIMEOUT_MS: "500",
    API_KEYS: SERVICE_KEY,
    NODE_ENV: "development",
    HEALTH_REQUIRE_WORKERS: "false",
  });
  redis = createRedis(`redis://${nodes[0]}`, { clusterNodes: nodes });
  redis.on("error", () => {});
}, 60_000);
afterAll(async () => {
  if (api) await api.stop();
  redis?.disconnect();
  await cluster?.stop();
});

describe("the API through a Redis Cluster failover", () => {
  it("keeps enqueueing by itself and loses no acknowledged job", async () => {
    const loop = startEnqueueLoop(api.url);
    await loop.acceptedSince(0, 50, 20_000);

    const slotKey = queueKeys("email").pending;
    const victim = await cluster.masterFor(slotKey);
    const killedAt = Date.now();
    await cluster.kill(victim);
    await waitFor(async () => (await cluster.masterFor(slotKey).catch(() => victim)) !== victim, {
      timeoutMs: 30_000,
      intervalMs: 100,
      message: "the replica's promotion",
    });
    await cluster.revive(victim);
    await loop.acceptedSince(killedAt, 50, 60_000);
    await loop.stop();

    const report = await lostEnqueues(redis, loop, killedAt);
    console.log(JSON.stringify({ test: "api cluster failover", ...report, lost: report.lost.length }));
    expect(report.lost).toEqual([]);
    expectOnlyUnavailable(report.refusals, api.output());
  }, 160_000);
});
