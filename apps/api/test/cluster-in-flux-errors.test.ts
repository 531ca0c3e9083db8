// What a Redis Cluster says while its slot map moves (a failover, a node back as a replica) is
// unavailability, answered 503 so the client retries, never a 500. The errors come from a real
// cluster, asked the way a client with a stale slot map asks.
import { createRedis, queueKeys } from "@notify/queue";
import { type ReplicatedClusterHandle, startReplicatedCluster } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionError } from "../src/lib/redis-guard.ts";

let cluster: ReplicatedClusterHandle;

beforeAll(async () => {
  cluster = await startReplicatedCluster({ masters: 3, replicasPerMaster: 1 });
  await cluster.waitUntilHealthy();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

async function errorFrom(port: number, command: (client: ReturnType<typeof createRedis>) => Promise<unknown>) {
  const client = createRedis(`redis://127.0.0.1:${port}`);
  try {
    await command(client);
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    client.disconnect();
  }
}

describe("a cluster in flux", () => {
  it("is unavailability: a write sent to the wrong master, and WAIT sent to a replica", async () => {
    const key = queueKeys("email").pending;
    const owner = await cluster.masterFor(key);
    const nodes = await cluster.topology();
    const otherMaster = nodes.find((node) => node.role === "master" && node.port !== owner);
    const replica = nodes.find((node) => node.role === "replica");
    if (!otherMaster || !replica) throw new Error("the cluster has no second master or no replica");

    const moved = await errorFrom(otherMaster.port, (client) => client.rpush(key, "{}"));
    expect(moved?.message).toMatch(/^MOVED \d+ /);
    expect(isConnectionError(moved)).toBe(true);

    const wait = await errorFrom(replica.port, (client) => client.wait(1, 100));
    expect(wait?.message).toMatch(/WAIT cannot be used with replica/);
    expect(isConnectionError(wait)).toBe(true);
  });

  it("is not every error: a command on the wrong type stays a bug", async () => {
    const key = "{guard}plain";
    const wrongType = await errorFrom(await cluster.masterFor(key), async (client) => {
      await client.set(key, "x");
      return client.rpush(key, "y");
    });
    expect(wrongType?.message).toMatch(/^WRONGTYPE/);
    expect(isConnectionError(wrongType)).toBe(false);
  });
});
