// The CLI on Redis Cluster (REDIS_CLUSTER_NODES), and a clear line when no node answers.
import { freePort, type RedisClusterHandle, startRedisCluster } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName } from "../setup.ts";
import { cliJson, runCli } from "./run-cli.ts";

let cluster: RedisClusterHandle;
let env: Record<string, string>;
beforeAll(async () => {
  cluster = await startRedisCluster();
  const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`);
  env = { REDIS_URL: `redis://${nodes[0]}`, REDIS_CLUSTER_NODES: nodes.join(",") };
});
afterAll(async () => {
  await cluster?.stop();
});

describe("queue CLI on Redis Cluster", () => {
  it("pings, pushes and counts through the cluster client", async () => {
    expect(await cliJson(["ping"], env)).toMatchObject({ ok: true, mode: "cluster", embedded: false });
    const name = queueName("cli-cluster");
    await cliJson(["push", name, "--count", "4"], env);
    expect(await cliJson(["stats", name], env)).toMatchObject({ pending: 4 });
    expect(await cliJson(["clear", name], env)).toMatchObject({ removed: 4 });
  });

  it("says that no node answered when the listed nodes are down", async () => {
    const [a, b] = [await freePort(), await freePort()];
    const result = await runCli(["ping", "--timeout", "2000"], {
      REDIS_URL: `redis://127.0.0.1:${a}`,
      REDIS_CLUSTER_NODES: `127.0.0.1:${a},127.0.0.1:${b}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/no node of cluster 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ .*answered/);
  });
});
