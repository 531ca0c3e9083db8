// Seed 004's DLQ inspection and retry, and more: paged list, filter by error, get, retry one /
// all / by error, delete, purge.
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, PermanentError, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let queue: Queue;
let worker: Worker;
let fixed = false;

beforeAll(async () => {
  const name = queueName("dlq");
  queue = new Queue(name, { connection: t.redis });
  worker = createWorker(
    name,
    async (job) => {
      if (!fixed) throw new PermanentError(job.type === "bounce" ? "550 mailbox unavailable" : "400 invalid template");
    },
    { connection: t.connect() },
  );
  await queue.pushBulk(Array.from({ length: 6 }, (_, i) => ({ type: i < 4 ? "bounce" : "template", data: { i } })));
  await waitFor(async () => (await queue.dlq.count()) === 6);
});
afterAll(async () => {
  await worker.close();
});

describe("dead-letter utilities", () => {
  it("lists newest first, in pages, and filters by error text", async () => {
    const page = await queue.dlq.list({ offset: 0, limit: 4 });
    expect(page.total).toBe(6);
    expect(page.entries).toHaveLength(4);
    const rest = await queue.dlq.list({ offset: 4, limit: 4 });
    expect(rest.entries).toHaveLength(2);
    const all = [...page.entries, ...rest.entries];
    expect(all.map((e) => e.failedAt)).toEqual([...all.map((e) => e.failedAt)].sort((a, b) => b - a));
    const bounced = await queue.dlq.list({ error: "MAILBOX" });
    expect(bounced.total).toBe(4);
    expect(bounced.entries.every((e) => e.error.includes("mailbox"))).toBe(true);
  });

  it("gets one by id, deletes one, and retries by error after the cause is fixed", async () => {
    const [first] = (await queue.dlq.list({ error: "template" })).entries;
    expect(first).toBeDefined();
    const id = first?.id ?? "";
    expect((await queue.dlq.get(id))?.job?.type).toBe("template");
    expect(await queue.dlq.delete(id)).toBe(true);
    expect(await queue.dlq.delete(id)).toBe(false);
    expect(await queue.dlq.get(id)).toBeNull();
    fixed = true;
    expect(await queue.dlq.retryAll({ error: "template" })).toBe(1);
    await waitFor(async () => (await queue.stats()).processed === 1);
    expect(await queue.dlq.count()).toBe(4);
  });

  it("retries one with a fresh attempt count, then purges the rest", async () => {
    const [entry] = (await queue.dlq.list({ limit: 1 })).entries;
    const id = entry?.id ?? "";
    expect(await queue.dlq.retry(id)).toBe(true);
    expect(await queue.dlq.retry(id)).toBe(false);
    await waitFor(async () => (await queue.stats()).processed === 2);
    const done = await queue.recentCompleted(1);
    expect(done[0]?.job).toMatchObject({ id, attempts: 0 });
    expect(await queue.dlq.purge()).toBe(3);
    expect(await queue.dlq.count()).toBe(0);
  });
});
