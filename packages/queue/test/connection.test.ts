// How createRedis reads the environment: one place for REDIS_URL, REDIS_CLUSTER_NODES and
// REDIS_SENTINELS, so the API, the workers and the CLI connect alike. Nothing connects here
// (lazyConnect): these check the options ioredis is given.
import { Cluster, Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedis, parseNodes, type RedisConnection, redisEnvironmentProblem } from "../src/index.ts";

const made: RedisConnection[] = [];
const make = (...args: Parameters<typeof createRedis>) => {
  const redis = createRedis(args[0], { lazyConnect: true, ...args[1] });
  made.push(redis);
  return redis;
};
afterEach(() => {
  for (const redis of made.splice(0)) redis.disconnect();
});

describe("createRedis", () => {
  it("finds the master through sentinels, with the URL's user, password, db and TLS for the data nodes", () => {
    const redis = make("rediss://app:s%3Acret@ignored-host:6379/2", {
      sentinelNodes: ["10.0.0.1:26379", "sentinel-b:26380"],
      sentinelName: "queues",
      clusterNodes: [],
    });
    expect(redis).toBeInstanceOf(Redis);
    expect((redis as Redis).options).toMatchObject({
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "sentinel-b", port: 26380 },
      ],
      name: "queues",
      username: "app",
      password: "s:cret",
      db: 2,
      tls: {},
      enableTLSForSentinelMode: true,
    });
    // ioredis's detector ends a client that is reconnecting when the switch is announced.
    expect((redis as Redis).options.failoverDetector).toBeFalsy();
  });

  it("takes the sentinel variables from the environment, and the master name defaults to mymaster", () => {
    const saved = { ...process.env };
    try {
      process.env.REDIS_SENTINELS = "127.0.0.1:26379";
      process.env.REDIS_SENTINEL_PASSWORD = "sentinel-secret";
      delete process.env.REDIS_SENTINEL_NAME;
      delete process.env.REDIS_CLUSTER_NODES;
      const redis = make("redis://127.0.0.1:1") as Redis;
      expect(redis.options).toMatchObject({ name: "mymaster", sentinelPassword: "sentinel-secret" });
      expect(redis.options.tls).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });

  it("a cluster list wins, without the URL's db (a cluster has only db 0) and with failover-length retries", () => {
    const redis = make("redis://:pw@127.0.0.1:7000/3", {
      clusterNodes: ["127.0.0.1:7000"],
      sentinelNodes: ["127.0.0.1:26379"],
    });
    expect(redis).toBeInstanceOf(Cluster);
    const options = (redis as Cluster).options;
    expect(options.redisOptions).toMatchObject({ password: "pw" });
    expect(options.redisOptions?.db).toBeUndefined();
    // About 30 s of closed connections and CLUSTERDOWN before a command gives up.
    expect((options.maxRedirections ?? 0) * (options.retryDelayOnFailover ?? 0)).toBeGreaterThanOrEqual(30_000);
  });

  it("rejects a malformed node list naming the variable", () => {
    expect(() => parseNodes("127.0.0.1:26379,sentinel-b:x", "REDIS_SENTINELS")).toThrow(
      /REDIS_SENTINELS: "sentinel-b:x" is not host:port/,
    );
    expect(() => parseNodes(":26379", "REDIS_SENTINELS")).toThrow(/REDIS_SENTINELS/);
    expect(() => parseNodes("host:99999", "REDIS_CLUSTER_NODES")).toThrow(/REDIS_CLUSTER_NODES/);
    expect(parseNodes(" a:1 , ,b:2 ")).toEqual(["a:1", "b:2"]);
    // As before for cluster nodes: a missing port is the default one.
    const redis = make("redis://127.0.0.1:1", { clusterNodes: [], sentinelNodes: ["sentinel-a"] }) as Redis;
    expect(redis.options.sentinels).toEqual([{ host: "sentinel-a", port: 26379 }]);
  });

  it("names the first bad Redis variable for an entry point to stop on", () => {
    expect(redisEnvironmentProblem({ REDIS_SENTINELS: "a:1,b:2", REDIS_WAIT_REPLICAS: "1" })).toBeNull();
    expect(redisEnvironmentProblem({ REDIS_CLUSTER_NODES: "a:0" })).toMatch(/^REDIS_CLUSTER_NODES/);
    expect(redisEnvironmentProblem({ REDIS_WAIT_TIMEOUT_MS: "0" })).toMatch(/^REDIS_WAIT_TIMEOUT_MS/);
  });

  it("reconnects and resends on READONLY (a master demoted behind the same address)", () => {
    const redis = make("redis://127.0.0.1:1", { clusterNodes: [], sentinelNodes: [] }) as Redis;
    const reconnect = redis.options.reconnectOnError;
    expect(
      typeof reconnect === "function" && reconnect(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(2);
    expect(typeof reconnect === "function" && reconnect(new Error("ERR unknown command"))).toBe(false);
  });
});
