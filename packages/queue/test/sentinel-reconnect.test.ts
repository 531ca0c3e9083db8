// How Sentinel clients follow a failover. A client still connected to a master the sentinels
// replaced (a manual failover leaves it running, as a master, for seconds) must move to the new
// one when +switch-master is announced, before any write of its own meets READONLY. And a client
// that is reconnecting when the announcement comes must still find the new master: ioredis's own
// failoverDetector ends such a client for good ("Connection is closed." on every command) when the
// announcement arrives while it asks a sentinel where the master is, exactly what a client does
// after its master was killed. Many clients retrying every few milliseconds make that moment
// certain to fall inside some client's sentinel round trip.
import { type RedisSentinelHandle, startRedisSentinel, waitFor } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis } from "../src/index.ts";

const CLIENTS = 40;
let sentinel: RedisSentinelHandle;
const clients: Redis[] = [];

beforeAll(async () => {
  sentinel = await startRedisSentinel({ sentinels: 1, replicas: 2, masterName: "notify-reconnect" });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await sentinel?.stop();
});

const remotePort = (client: Redis) => (client as unknown as { stream?: { remotePort?: number } }).stream?.remotePort;

function sentinelClient(options: { retryStrategy?: () => number; sentinelRetryStrategy?: () => number } = {}) {
  const client = createRedis("redis://unused-host:1", {
    clusterNodes: [],
    sentinelNodes: sentinel.sentinels.map(({ host, port }) => `${host}:${port}`),
    sentinelName: sentinel.masterName,
    ...options,
  }) as Redis;
  client.on("error", () => {});
  clients.push(client);
  return client;
}

describe("Sentinel clients during a failover", () => {
  it("a client on a master replaced by a manual failover moves to the new one when it is announced", async () => {
    const client = sentinelClient();
    const blocking = client.duplicate();
    blocking.on("error", () => {});
    clients.push(blocking);
    await Promise.all([client.ping(), blocking.ping()]);
    const former = await sentinel.masterPort();
    expect(remotePort(client)).toBe(former);

    const sentinelCli = new Redis({ port: sentinel.sentinels[0]?.port });
    try {
      // NOGOODSLAVE until the sentinel has heard from a replica recently enough to promote it.
      await waitFor(
        () => sentinelCli.call("sentinel", "failover", sentinel.masterName).then((reply) => reply === "OK"),
        {
          timeoutMs: 20_000,
          intervalMs: 250,
          message: "the sentinel to accept a manual failover",
        },
      );
    } finally {
      sentinelCli.disconnect();
    }
    const promoted = await sentinel.waitForNewMaster(former, 30_000);
    // Only reads and pings meanwhile: nothing but the announcement can have moved them.
    await waitFor(
      async () => remotePort(client) === promoted && remotePort(blocking) === promoted && (await client.ping()),
      {
        timeoutMs: 10_000,
        message: () => `both on ${promoted}; they are on ${remotePort(client)} and ${remotePort(blocking)}`,
      },
    );
    expect(await client.call("role").then((role) => (role as string[])[0])).toBe("master");
  }, 60_000);

  it("every client that was reconnecting when the new master was announced ends up on it", async () => {
    const reconnecting = Array.from({ length: CLIENTS }, () =>
      sentinelClient({ retryStrategy: () => 2, sentinelRetryStrategy: () => 2 }),
    );
    await Promise.all(reconnecting.map((client) => client.ping()));

    const victim = await sentinel.masterPort();
    await sentinel.kill(victim);
    const promoted = await sentinel.waitForNewMaster(victim, 30_000);

    const onPromoted = async (client: Redis) =>
      client.status === "ready" &&
      remotePort(client) === promoted &&
      (await client.set("reconnect:written", "1").catch(() => null)) === "OK";
    await waitFor(async () => (await Promise.all(reconnecting.map(onPromoted))).every(Boolean), {
      timeoutMs: 20_000,
      intervalMs: 100,
      message: () =>
        `every client on ${promoted}; statuses: ${JSON.stringify(
          reconnecting.reduce<Record<string, number>>((count, { status }) => {
            count[status] = (count[status] ?? 0) + 1;
            return count;
          }, {}),
        )}`,
    });
    expect(reconnecting.filter(({ status }) => status === "end")).toHaveLength(0);
  }, 60_000);
});
