// A partitioned queue on a real three-master Redis Cluster: its partitions land on three different
// masters, producers and one worker process use all of them, and the logical view adds them up.
import { type ReplicatedClusterHandle, startReplicatedCluster, waitFor } from "@notify/testing";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, listQueues, PermanentError, Queue } from "../src/index.ts";

let cluster: ReplicatedClusterHandle;
const clients: Cluster[] = [];
const connect = () => {
  const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  client.on("error", () => {});
  clients.push(client);
  return client;
};

beforeAll(async () => {
  cluster = await startReplicatedCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 2_000 });
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

describe("a partitioned queue on Redis Cluster (three masters)", () => {
  it("puts each partition on its own master and delivers, dead-letters and reports across them", async () => {
    const redis = connect();
    const queue = new Queue("campaign", { connection: redis, partitions: 3 });
    const masters = await Promise.all(queue.partitions.map((part) => cluster.masterFor(part.keys.pending)));
    expect(new Set(masters).size).toBe(3);

    const seen = new Set<string>();
    const worker = createWorker(
      "campaign",
      async (job) => {
        if (job.type === "bad") throw new PermanentError("bad job");
        seen.add(job.id);
      },
      { connection: connect(), partitions: 3, concurrency: 12 },
    );
    const { ids, batchId } = await queue.pushBulk(Array.from({ length: 300 }, (_, i) => ({ type: "ok", data: { i } })));
    for (let i = 0; i < 30; i++) ids.push((await queue.push({ type: "ok" })).id);
    await queue.push({ type: "bad" }, { id: "bad-1" });
    await waitFor(async () => (await queue.stats()).processed === 330, { timeoutMs: 30_000, message: "330 processed" });
    expect(seen).toEqual(new Set(ids));
    await waitFor(async () => (await queue.dlq.count()) === 1, { message: "the bad job dead-lettered" });
    expect(await queue.stats()).toMatchObject({ name: "campaign", pending: 0, dead: 1, workers: 3 });
    expect(await queue.batch(batchId)).toMatchObject({ total: 300, done: 300 });
    // Every master did part of the work.
    const processedPerPartition = await Promise.all(
      queue.partitions.map(async (part) => (await part.stats()).processed),
    );
    expect(processedPerPartition.every((n) => n > 0)).toBe(true);
    expect(await listQueues(redis)).toEqual(["campaign"]);
    await worker.close();
  }, 90_000);
});
