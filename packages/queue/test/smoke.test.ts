import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, type Job, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("push and process", () => {
  it("delivers pushed jobs once each and counts them", async () => {
    const name = queueName("smoke");
    const queue = new Queue(name, { connection: t.redis });
    const seen: string[] = [];
    const worker = createWorker(
      name,
      async (job: Job) => {
        seen.push(job.id);
      },
      { connection: t.connect(), concurrency: 5 },
    );
    const { ids } = await queue.pushBulk(Array.from({ length: 200 }, (_, i) => ({ type: "noop", data: { i } })));
    await waitFor(async () => (await queue.stats()).processed === 200, { message: "200 processed" });
    await worker.close();
    expect(seen.sort()).toEqual([...ids].sort());
    const stats = await queue.stats();
    expect(stats).toMatchObject({ pending: 0, active: 0, dead: 0, processed: 200 });
  });
});
