// Sentinel-managed Redis: the engine finds the master through REDIS_SENTINELS (a real
// `redis-server --sentinel` trio on loopback). The master is killed with SIGKILL under load, the
// sentinels promote its replica, and a worker process and the producers follow by themselves.
// Two replicas, so the promoted one still has a replica for WAIT 1 while the killed master is down.
// The killed server is started again once replaced; the sentinels make it a replica of the new
// master.
import { type RedisSentinelHandle, startRedisSentinel, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, Queue, type RedisConnection } from "../src/index.ts";
import { cliJson, runCli } from "./cli/run-cli.ts";
import {
  DeliveryLog,
  type FailoverWorker,
  settle,
  spawnFailoverWorker,
  startProducers,
} from "./fixtures/failover-run.ts";
import { queueName } from "./setup.ts";

let sentinel: RedisSentinelHandle;
let producerRedis: RedisConnection;
const workers: FailoverWorker[] = [];
const sentinelList = () => sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(",");

beforeAll(async () => {
  sentinel = await startRedisSentinel({
    sentinels: 3,
    replicas: 2,
    masterName: "notify-test",
    downAfterMs: 1_000,
  });
  // REDIS_URL's host is not used: the sentinels say where the master is.
  producerRedis = createRedis("redis://unused-host:1", {
    clusterNodes: [],
    sentinelNodes: sentinelList().split(","),
    sentinelName: sentinel.masterName,
  });
  producerRedis.on("error", () => {});
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  producerRedis?.disconnect();
  await sentinel?.stop();
});

describe("Sentinel failover", () => {
  it("the CLI finds the master through REDIS_SENTINELS, and says so when no sentinel answers", async () => {
    const env = {
      REDIS_URL: "redis://unused-host:1",
      REDIS_CLUSTER_NODES: "",
      REDIS_SENTINELS: sentinelList(),
      REDIS_SENTINEL_NAME: sentinel.masterName,
    };
    expect(await cliJson(["ping"], env)).toMatchObject({ ok: true, embedded: false });
    const name = queueName("cli-sentinel");
    await cliJson(["push", name, "--count", "3"], env);
    expect(await cliJson(["stats", name], env)).toMatchObject({ pending: 3 });

    const wrongName = await runCli(["ping", "--timeout", "3000"], { ...env, REDIS_SENTINEL_NAME: "no-such-master" });
    expect(wrongName.code).toBe(1);
    expect(wrongName.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrongName.stderr).toMatch(/no sentinel of sentinels .* \(master no-such-master;.*check REDIS_SENTINELS/);
  });

  it("connects through the sentinels, rides out a master kill, and loses no accepted job (WAIT 1)", async () => {
    const name = queueName("sentinel");
    const queue = new Queue(name, { connection: producerRedis, waitReplicas: 1, waitTimeoutMs: 500 });
    expect(await producerRedis.ping()).toBe("PONG");
    const deliveries = new DeliveryLog();
    const env = {
      QUEUE: name,
      REDIS_URL: "redis://unused-host:1",
      REDIS_CLUSTER_NODES: "",
      REDIS_SENTINELS: sentinelList(),
      REDIS_SENTINEL_NAME: sentinel.masterName,
    };
    const worker = await spawnFailoverWorker(env, deliveries);
    workers.push(worker);
    const producers = startProducers(queue);
    await waitFor(() => deliveries.runs.size >= 300, { timeoutMs: 20_000, message: "deliveries before the kill" });

    const victim = await sentinel.masterPort();
    const killedAt = Date.now();
    await sentinel.kill(victim);
    const promoted = await sentinel.waitForNewMaster(victim, 30_000);
    const promotedSeconds = (Date.now() - killedAt) / 1000;
    await sentinel.revive(victim);

    const deliveredSinceKill = () =>
      [...producers.accepted].filter(([id, at]) => at > killedAt && deliveries.runs.has(id)).length;
    // Generous: on a loaded CI machine the election and the replica's resync take their time.
    await waitFor(() => deliveredSinceKill() >= 200, {
      timeoutMs: 60_000,
      intervalMs: 100,
      message: () =>
        `deliveries after the kill of ${victim} (promoted ${promoted}; since the kill: ${producers.progress(deliveries, killedAt)}; worker log: ${worker.log().slice(-1_000)})`,
    });
    await producers.stop();
    const restartWorker = async () => {
      await worker.stop();
      workers.push(await spawnFailoverWorker(env, deliveries));
    };
    const report = await settle(queue, producers, deliveries, killedAt, restartWorker);
    await Promise.all(workers.map((w) => w.stop()));
    console.log(JSON.stringify({ test: "sentinel failover", waitReplicas: 1, promotedSeconds, ...report }));

    expect(promoted).not.toBe(victim);
    expect(report.lost, `lost ids: ${report.lostIds.join(",")} (${report.lostStates.join(",")})`).toBe(0);
    expect(report.delivered).toBe(report.accepted);
    expect(report.resumedSeconds).toBeLessThan(30);
  }, 180_000);
});
