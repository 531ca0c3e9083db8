// Redis Cluster on loopback for tests: three masters to prove the key layout is cluster-safe
// (every key of a queue in one hash slot), or masters with replicas and a short node timeout to
// prove the engine rides out a failover (kill -9 a master, its replica takes over in seconds).
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { ensureRedisBinaries } from "./redis-binary.mjs";
import { freePort, type RedisServerHandle, startRedisServer } from "./redis-server.ts";

const run = promisify(execFile);

export interface RedisClusterHandle {
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

export interface ReplicatedClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a master may be silent before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node, e.g. ["--min-replicas-to-write", "1"]. */
  args?: string[];
}

export interface ClusterNodeState {
  port: number;
  role: "master" | "replica";
  failed: boolean;
  /** For a replica: the port of its master. */
  masterPort: number | null;
}

export interface ReplicatedClusterHandle extends RedisClusterHandle {
  readonly servers: ReadonlyMap<number, RedisServerHandle>;
  /** The port of the master that serves `key`'s hash slot, as a live node sees it. */
  masterFor(key: string): Promise<number>;
  /** Every node as a live node sees it (roles change on failover). */
  topology(): Promise<ClusterNodeState[]>;
  /** kill -9: no shutdown, no last replication, as a crashed machine. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port and config file; it rejoins (as a replica once replaced). */
  revive(port: number): Promise<void>;
  /** Resolves when every node reports cluster_state:ok and every live replica's link is up. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
}

/** Three masters and no replicas (the layout test). */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  return startReplicatedCluster({ masters, replicasPerMaster: 0, nodeTimeoutMs: 2_000 });
}

export async function startReplicatedCluster(options: ReplicatedClusterOptions = {}): Promise<ReplicatedClusterHandle> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1_500, args = [] } = options;
  const { cli } = ensureRedisBinaries() as { cli: string };
  const servers = new Map<number, RedisServerHandle>();
  const cliOn = async (port: number, ...command: string[]) =>
    (await run(cli, ["-p", String(port), ...command], { encoding: "utf8", timeout: 5_000 })).stdout;
  const killed = new Set<number>();
  const live = () => [...servers.keys()].filter((port) => !killed.has(port));

  const topology = async (): Promise<ClusterNodeState[]> => {
    const text = await firstAnswer(live(), (port) => cliOn(port, "cluster", "nodes"));
    return parseClusterNodes(text).map(({ slots: _slots, ...node }) => node);
  };

  const waitUntilHealthy = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const healthy = await Promise.all(
        live().map(async (port) => {
          const info = await cliOn(port, "cluster", "info").catch(() => "");
          if (!info.includes("cluster_state:ok")) return false;
          const replication = await cliOn(port, "info", "replication").catch(() => "");
          return !replication.includes("role:slave") || replication.includes("master_link_status:up");
        }),
      );
      if (healthy.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error("cluster did not become healthy (cluster_state:ok, replicas linked)");
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await freePort();
      const server = await startRedisServer({
        port,
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--cluster-node-timeout",
          String(nodeTimeoutMs),
          ...args,
        ],
      });
      servers.set(port, server);
    }
    const addresses = [...servers.keys()].map((port) => `127.0.0.1:${port}`);
    execFileSync(
      cli,
      ["--cluster", "create", ...addresses, "--cluster-replicas", String(replicasPerMaster), "--cluster-yes"],
      { stdio: "pipe", timeout: 30_000 },
    );
    // Slots are assigned at once, but every node must agree before clients get stable routing.
    await waitUntilHealthy(30_000);
  } catch (error) {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    throw error;
  }

  return {
    nodes: [...servers.keys()].map((port) => ({ host: "127.0.0.1", port })),
    servers,
    topology,
    waitUntilHealthy,
    async masterFor(key) {
      const [port] = live();
      if (port === undefined) throw new Error("no live cluster node");
      const slot = Number((await cliOn(port, "cluster", "keyslot", key)).trim());
      const text = await firstAnswer(live(), (p) => cliOn(p, "cluster", "nodes"));
      const owner = parseClusterNodes(text).find(
        (node) => node.role === "master" && !node.failed && node.slots.some(([from, to]) => slot >= from && slot <= to),
      );
      if (!owner) throw new Error(`no live master serves slot ${slot}`);
      return owner.port;
    },
    async kill(port) {
      killed.add(port);
      await servers.get(port)?.stopProcess("SIGKILL");
    },
    async revive(port) {
      await servers.get(port)?.startProcess();
      killed.delete(port);
    },
    async stop() {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    },
  };
}

async function firstAnswer(ports: number[], ask: (port: number) => Promise<string>): Promise<string> {
  let lastError: unknown = new Error("no live cluster node");
  for (const port of ports) {
    try {
      return await ask(port);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** CLUSTER NODES lines: `<id> <ip:port@cport> <flags> <master id|-> <ping> <pong> <epoch> <link> <slots...>`. */
function parseClusterNodes(text: string): (ClusterNodeState & { slots: [number, number][] })[] {
  const rows = text
    .trim()
    .split("\n")
    .map((line) => line.trim().split(" "));
  const portById = new Map(rows.map((f) => [f[0] ?? "", Number((f[1] ?? "").split("@")[0]?.split(":")[1])]));
  return rows.map((f) => {
    const flags = (f[2] ?? "").split(",");
    const slots = f
      .slice(8)
      .filter((range) => !range.startsWith("["))
      .map((range): [number, number] => {
        const [from, to = from] = range.split("-").map(Number) as [number, number?];
        return [from, to];
      });
    return {
      port: portById.get(f[0] ?? "") ?? 0,
      role: flags.includes("master") ? "master" : "replica",
      failed: flags.includes("fail") || flags.includes("fail?"),
      masterPort: f[3] && f[3] !== "-" ? (portById.get(f[3]) ?? null) : null,
      slots,
    };
  });
}
