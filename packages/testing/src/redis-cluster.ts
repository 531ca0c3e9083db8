// A three-master Redis Cluster on loopback for tests that must prove the key layout is
// cluster-safe (every key of a queue in one hash slot).
import { execFileSync } from "node:child_process";
// @ts-expect-error plain ESM shared with the bootstrap scripts
import { ensureRedisBinaries } from "../../../scripts/lib/redis-binary.mjs";
import { freePort, type RedisServerHandle, startRedisServer } from "./redis-server.ts";

export interface RedisClusterHandle {
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const { cli } = ensureRedisBinaries() as { cli: string };
  const servers: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      servers.push(
        await startRedisServer({
          port,
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `nodes-${port}.conf`,
            "--cluster-node-timeout",
            "2000",
          ],
        }),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    execFileSync(cli, ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], {
      stdio: "pipe",
      timeout: 30_000,
    });
    // Slots are assigned at once, but every node must agree before clients get stable routing.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = servers.map((s) =>
        execFileSync(cli, ["-p", String(s.port), "cluster", "info"], { encoding: "utf8" }),
      );
      if (states.every((info) => info.includes("cluster_state:ok"))) break;
      if (Date.now() > deadline) throw new Error("cluster did not reach cluster_state:ok");
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: "127.0.0.1", port: s.port })),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
