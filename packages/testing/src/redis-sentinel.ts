// A Sentinel-managed Redis on loopback for failover tests: one master, one or more replicas, and
// one or three `redis-server --sentinel` processes watching the master with short timeouts, so a
// kill -9 of the master ends in a promoted replica within seconds. With two replicas the promoted
// one keeps a replica of its own (the sentinels re-point the other), so WAIT 1 is satisfied again
// without waiting for the killed master to come back.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureRedisBinaries } from "./redis-binary.mjs";
import { freePort, type RedisServerHandle, startRedisServer, waitForOutput } from "./redis-server.ts";

const run = promisify(execFile);

export interface RedisSentinelOptions {
  /** One sentinel (quorum 1) or three (quorum 2, as production runs them). */
  sentinels?: 1 | 3;
  masterName?: string;
  /** down-after-milliseconds: silence before the master is considered down. */
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** Replicas of the first master (default 1). */
  replicas?: 1 | 2;
  /** Extra redis-server arguments for the master and the replica. */
  args?: string[];
}

export interface RedisSentinelHandle {
  readonly masterName: string;
  readonly sentinels: { host: string; port: number }[];
  /** The data servers (first master, then its replicas) by port. */
  readonly servers: ReadonlyMap<number, RedisServerHandle>;
  /** The master's port as the sentinels announce it. */
  masterPort(): Promise<number>;
  /** kill -9 of a data server. */
  kill(port: number): Promise<void>;
  /** Starts a killed data server again; the sentinels turn a replaced master into a replica. */
  revive(port: number): Promise<void>;
  /** Resolves once the sentinels announce a master other than `formerPort`; returns its port. */
  waitForNewMaster(formerPort: number, timeoutMs?: number): Promise<number>;
  /** Resolves once the current master has a replica whose link is up. */
  waitUntilReplicated(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const {
    sentinels: count = 1,
    replicas: replicaCount = 1,
    masterName = "mymaster",
    downAfterMs = 1_000,
    failoverTimeoutMs = 5_000,
  } = options;
  const { server: binary, cli } = ensureRedisBinaries() as { server: string; cli: string };
  const cliOn = async (port: number, ...command: string[]) =>
    (await run(cli, ["-p", String(port), ...command], { encoding: "utf8", timeout: 5_000 })).stdout;
  const servers = new Map<number, RedisServerHandle>();
  const sentinelProcesses: { port: number; child: ChildProcess }[] = [];
  const dir = mkdtempSync(join(tmpdir(), "notify-sentinel-"));
  const stop = async () => {
    await Promise.all(
      sentinelProcesses.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
    await Promise.all([...servers.values()].map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  const masterPort = async () => {
    let lastError: unknown = new Error("no sentinel answered");
    for (const { port } of sentinelProcesses) {
      try {
        const [, announced] = (await cliOn(port, "sentinel", "get-master-addr-by-name", masterName)).trim().split("\n");
        if (announced) return Number(announced);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };
  const poll = async (what: string, timeoutMs: number, check: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`sentinel setup: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // `port` before the sentinels run; afterwards the master they announce.
  const waitUntilReplicated = async (timeoutMs = 30_000, port?: number, replicas = 1) =>
    poll(`${replicas} linked replica(s)`, timeoutMs, async () => {
      const info = await cliOn(port ?? (await masterPort()), "info", "replication");
      return (info.match(/slave\d+:.*state=online/g) ?? []).length >= replicas;
    });

  try {
    const master = await startRedisServer({ args: options.args });
    servers.set(master.port, master);
    const replicaPorts: number[] = [];
    for (let i = 0; i < replicaCount; i++) {
      const replica = await startRedisServer({
        args: [...(options.args ?? []), "--replicaof", "127.0.0.1", String(master.port)],
      });
      servers.set(replica.port, replica);
      replicaPorts.push(replica.port);
    }
    await waitUntilReplicated(30_000, master.port, replicaCount);
    const quorum = count === 3 ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const config = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${master.port} ${quorum}`,
          `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
          `sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${masterName} 1`,
          "",
        ].join("\n"),
      );
      // Sentinel rewrites its config file (discovered replicas, epochs): it must be writable.
      const child = spawn(binary, [config, "--sentinel"], { stdio: ["ignore", "pipe", "inherit"] });
      sentinelProcesses.push({ port, child });
      await waitForOutput(child, port, "+monitor master");
    }
    // A failover needs every sentinel to know the replica and (with three) the other sentinels.
    await poll("the sentinels to see the replica and each other", 30_000, async () => {
      const views = await Promise.all(
        sentinelProcesses.map(async ({ port }) => ({
          replicas: await cliOn(port, "sentinel", "replicas", masterName),
          master: await cliOn(port, "sentinel", "master", masterName),
        })),
      );
      return views.every(
        ({ replicas, master }) =>
          replicaPorts.every((port) => replicas.includes(String(port))) &&
          new RegExp(`num-other-sentinels\\n${count - 1}\\n`).test(master),
      );
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    masterName,
    sentinels: sentinelProcesses.map(({ port }) => ({ host: "127.0.0.1", port })),
    servers,
    masterPort,
    async kill(port) {
      await servers.get(port)?.stopProcess("SIGKILL");
    },
    async revive(port) {
      await servers.get(port)?.startProcess();
    },
    async waitForNewMaster(formerPort, timeoutMs = 30_000) {
      let current = formerPort;
      // Sentinel names the promoted replica while its failover is still in progress. Reviving the
      // old master then (empty, as these servers keep nothing on disk) can end with the promoted
      // replica resynced from it, its data gone: wait until the failover is over and the new
      // master says it is one.
      await poll("a promoted replica, failover finished", timeoutMs, async () => {
        current = await masterPort();
        if (current === formerPort) return false;
        const role = await cliOn(current, "role");
        const states = await Promise.all(
          sentinelProcesses.map(({ port }) => cliOn(port, "sentinel", "master", masterName)),
        );
        return role.startsWith("master") && states.every((state) => !state.includes("failover_in_progress"));
      });
      return current;
    },
    waitUntilReplicated: (timeoutMs) => waitUntilReplicated(timeoutMs),
    stop,
  };
}
