// Redis Cluster failover under load: 3 masters + 3 replicas on loopback, two Bun worker processes
// and two producers on the engine's push API; the master that holds the queue's slot is killed
// with SIGKILL and its replica takes over. Nobody restarts or reconfigures a client: workers and
// producers continue by themselves. The killed node is started again once replaced (as a
// supervisor would), so the new master has a replica for WAIT again.
import { type ReplicatedClusterHandle, startReplicatedCluster, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, createWorker, NotReplicatedError, Queue, type RedisConnection } from "../src/index.ts";
import {
  DeliveryLog,
  type FailoverReport,
  type FailoverWorker,
  settle,
  spawnFailoverWorker,
  startProducers,
} from "./fixtures/failover-run.ts";
import { queueName } from "./setup.ts";

let cluster: ReplicatedClusterHandle;
let producerRedis: RedisConnection;
const workers: FailoverWorker[] = [];

beforeAll(async () => {
  cluster = await startReplicatedCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_500 });
  producerRedis = createRedis(`redis://127.0.0.1:${cluster.nodes[0]?.port}`, {
    clusterNodes: cluster.nodes.map(({ host, port }) => `${host}:${port}`),
  });
  producerRedis.on("error", () => {});
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  producerRedis?.disconnect();
  await cluster?.stop();
});

interface Scenario {
  waitReplicas: number;
  /**
   * Jobs pushed in bulk (1 KB each) while the victim's replica is frozen with SIGSTOP, just
   * before the kill: a replica that lags, which loopback replication otherwise never does. More
   * than the kernel's socket buffers hold, so without WAIT part of them never reach the replica;
   * with WAIT the push is refused instead.
   */
  laggingJobs?: number;
}

type Outcome = FailoverReport & { promotedSeconds: number; lagStartedAt: number; lagPushAccepted: boolean };

async function killMasterUnderLoad({ waitReplicas, laggingJobs = 0 }: Scenario): Promise<Outcome> {
  const name = queueName("failover");
  const queue = new Queue(name, { connection: producerRedis, waitReplicas, waitTimeoutMs: 500 });
  const deliveries = new DeliveryLog();
  const env = {
    QUEUE: name,
    REDIS_URL: `redis://127.0.0.1:${cluster.nodes[0]?.port}`,
    REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(","),
    REDIS_SENTINELS: "",
  };
  const started = await Promise.all([0, 1].map(() => spawnFailoverWorker(env, deliveries)));
  workers.push(...started);
  const producers = startProducers(queue);
  await waitFor(() => deliveries.runs.size >= 300, { timeoutMs: 20_000, message: "deliveries before the kill" });

  const victim = await cluster.masterFor(queue.keys.pending);
  let lagStartedAt = Number.POSITIVE_INFINITY;
  let lagPushAccepted = false;
  const replica = cluster.servers.get(
    (await cluster.topology()).find((node) => node.masterPort === victim)?.port ?? Number.NaN,
  );
  if (laggingJobs > 0) {
    if (!replica) throw new Error(`no replica of ${victim}`);
    replica.signal("SIGSTOP");
    lagStartedAt = Date.now();
    const padding = "x".repeat(1_000);
    const inputs = Array.from({ length: laggingJobs }, (_, i) => ({ type: "lag", data: { i, padding } }));
    try {
      const { ids } = await queue.pushBulk(inputs, { track: false });
      for (const id of ids) producers.accepted.set(id, Date.now());
      lagPushAccepted = true;
    } catch (error) {
      if (!(error instanceof NotReplicatedError)) throw error;
    }
  }
  const killedAt = Date.now();
  try {
    await cluster.kill(victim);
  } finally {
    if (laggingJobs > 0) replica?.signal("SIGCONT");
  }
  await waitFor(
    async () => {
      const owner = await cluster.masterFor(queue.keys.pending).catch(() => victim);
      return owner !== victim;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: "the replica's promotion" },
  );
  const promotedSeconds = (Date.now() - killedAt) / 1000;
  await cluster.revive(victim);

  // Work goes on without help: jobs pushed after the kill are accepted and delivered.
  const deliveredSinceKill = () =>
    [...producers.accepted].filter(([id, at]) => at > killedAt && deliveries.runs.has(id)).length;
  // Generous: on a loaded CI machine the election and the revived node's resync take their time.
  await waitFor(() => deliveredSinceKill() >= 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
    message: () => `deliveries after the kill (worker log: ${started[0]?.log().slice(-1_000)})`,
  });
  await producers.stop();
  // Stopping a worker hands back all it holds, so a fresh one gets whatever was stranded.
  const restartWorkers = async () => {
    await Promise.all(started.map((w) => w.stop()));
    workers.push(await spawnFailoverWorker(env, deliveries));
  };
  const report = await settle(queue, producers, deliveries, killedAt, restartWorkers);
  await Promise.all(workers.map((w) => w.stop()));
  console.log(
    JSON.stringify({
      test: "cluster failover",
      waitReplicas,
      laggingJobs,
      lagPushAccepted,
      promotedSeconds,
      ...report,
    }),
  );
  return { ...report, promotedSeconds, lagStartedAt, lagPushAccepted };
}

describe("Redis Cluster failover (3 masters, 3 replicas)", () => {
  it("with WAIT 1 on every push: no accepted job is lost, even from a lagging replica; work resumes by itself", async () => {
    const report = await killMasterUnderLoad({ waitReplicas: 1, laggingJobs: 5_000 });
    expect(report.lagPushAccepted).toBe(false); // refused: the frozen replica could not confirm it
    expect(report.lost, `lost ids: ${report.lostIds.join(",")}`).toBe(0);
    expect(report.delivered).toBe(report.accepted);
    expect(report.resumedSeconds).toBeLessThan(30);
  }, 150_000);

  it("without WAIT: pushes the replica had not received when the master died are lost, nothing else", async () => {
    await cluster.waitUntilHealthy();
    const report = await killMasterUnderLoad({ waitReplicas: 0, laggingJobs: 30_000 });
    // What asynchronous replication loses: jobs accepted while the replica lagged. A job accepted
    // before that and missing would be the engine's loss, not Redis's.
    expect(report.lost).toBeGreaterThan(0);
    const lagMs = Date.now() - report.lagStartedAt;
    expect(report.oldestLostBeforeKillMs).toBeLessThan(lagMs);
    expect(report.resumedSeconds).toBeLessThan(30);
  }, 150_000);

  // A claim that ran on the old master and was replicated, but whose reply the kill swallowed:
  // ioredis sends the claim again to the new master, and the first claim's jobs sit in the
  // worker's active hash, unknown to it. On a plain or Sentinel connection the "close" event
  // makes the worker reconcile; a Cluster client emits "close" only when every node is gone, so
  // the worker also reconciles on the Cluster's "-node" event (regression: such a job waited
  // for the worker to stop).
  it("a live worker hands back a job its lost claim reply left in its active hash", async () => {
    await cluster.waitUntilHealthy();
    const name = queueName("stray");
    const connection = createRedis(`redis://127.0.0.1:${cluster.nodes[0]?.port}`, {
      clusterNodes: cluster.nodes.map(({ host, port }) => `${host}:${port}`),
      maxRetriesPerRequest: null,
    });
    connection.on("error", () => {});
    const delivered = new Set<string>();
    const worker = createWorker(name, async (job) => void delivered.add(job.id), { connection });
    const queue = new Queue(name, { connection: producerRedis, waitReplicas: 1 });
    try {
      await worker.start();
      await queue.push({ type: "warm-up" }, { id: "warm-up" });
      await waitFor(() => delivered.has("warm-up"), { message: "the warm-up job" });
      // The state the lost reply leaves, replicated before the kill.
      await producerRedis
        .pipeline()
        .hset(queue.keys.active(worker.id), "stray", JSON.stringify({ id: "stray", type: "t", data: {} }))
        .wait(1, 2_000)
        .exec();
      const victim = await cluster.masterFor(queue.keys.pending);
      await cluster.kill(victim);
      await waitFor(async () => (await cluster.masterFor(queue.keys.pending).catch(() => victim)) !== victim, {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      await cluster.revive(victim);
      // Pushes are refused until the revived node has synced as the new master's replica.
      await waitFor(async () => Boolean(await queue.push({ type: "after" }, { id: "after" })), {
        timeoutMs: 30_000,
        intervalMs: 200,
        message: "a durable push after the failover",
      });
      await waitFor(() => delivered.has("after"), { timeoutMs: 30_000, message: "a job pushed after the failover" });
      await waitFor(() => delivered.has("stray"), { timeoutMs: 10_000, message: "the stray job" });
    } finally {
      await worker.close({ graceMs: 1_000 });
      connection.disconnect();
    }
  }, 150_000);
});
