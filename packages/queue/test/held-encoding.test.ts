// The held hash is claimed into on every claim and read by field on every claim and ack: as a
// listpack (what Redis makes of a hash under hash-max-listpack-entries) each of those scans it all.
// The claim keeps it a hashtable from the first claim on, whatever the server's listpack settings.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { createWorker, Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("the held hash", () => {
  it("is a hashtable from the first claim, and its pad field is no job", async () => {
    const name = queueName("held");
    const queue = new Queue(name, { connection: t.redis });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.push({ type: "t" }, { id: "one" });
    const worker = createWorker(name, () => gate, { connection: t.connect() });
    try {
      await waitFor(async () => (await queue.holderOf("one")) !== null, { message: "job one held" });
      expect(await t.redis.object("ENCODING", queue.keys.held)).toBe("hashtable");
      release();
      await waitFor(async () => (await queue.stats()).processed === 1, { message: "job one done" });
      expect(await queue.holderOf("one")).toBeNull();
      expect((await queue.stats()).active).toBe(0);
    } finally {
      await worker.close();
    }
  });
});
