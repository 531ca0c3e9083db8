// An id is an id however the JSON is spelled: Python's json.dumps spacing, another key order or
// an escaped key all de-duplicate and exclude by the same id. Two ids in one envelope, or raw
// fields out of range, are dead-lettered as invalid instead of retried without end.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let worker: Worker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

describe("de-duplication by id, whatever the spelling", () => {
  it("skips a delivered job pushed again as json.dumps, in another key order, or with an escaped key", async () => {
    const name = queueName("spell");
    const queue = new Queue(name, { connection: t.redis });
    const runs: string[] = [];
    worker = createWorker(name, async (job) => void runs.push(job.id), { connection: t.connect() });
    await t.redis.rpush(queue.keys.pending, '{"id":"x1","type":"welcome","data":{}}');
    await waitFor(async () => (await queue.stats()).processed === 1);
    await t.redis.rpush(
      queue.keys.pending,
      '{"id": "x1", "type": "welcome", "to": "test@example.com", "data": {}, "attempts": 0}',
      '{"type":"welcome","data":{},"id":"x1"}',
      '{"\\u0069d":"x1","type":"welcome","data":{}}',
      ' { "id" : "x1" , "type" : "welcome" , "data" : { } } ',
    );
    await waitFor(async () => (await queue.stats()).duplicates === 4, { message: "four copies skipped" });
    expect(runs).toEqual(["x1"]);
  });

  it("runs a job once when copies spelled differently are claimed while the first one runs", async () => {
    const name = queueName("copies");
    const queue = new Queue(name, { connection: t.redis });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runs: string[] = [];
    const handler = async (job: { id: string }) => {
      runs.push(job.id);
      await gate;
    };
    worker = createWorker(name, handler, { connection: t.connect(), concurrency: 5 });
    const second = createWorker(name, handler, { connection: t.connect(), concurrency: 5 });
    // A producer whose RPUSH timed out pushed again: two copies, both claimable at once.
    await t.redis.rpush(
      queue.keys.pending,
      '{"id":"dup","type":"x","data":{}}',
      '{"id": "dup", "type": "x", "data": {}}',
    );
    await waitFor(async () => (await queue.stats()).duplicates === 1, { message: "second copy skipped" });
    release();
    await waitFor(async () => (await queue.stats()).processed === 1);
    await second.close();
    expect(runs).toEqual(["dup"]);
    // Nothing is held any more; only the claim script's pad field (a control character) stays.
    expect(Object.keys(await t.redis.hgetall(queue.keys.held))).toEqual(["\u0001hashtable"]);
  });
});

describe("raw envelopes out of range", () => {
  it.each([
    ["two ids", '{"id":"a","type":"x","data":{},"id":"b"}', /two ids/],
    ["negative attempts", '{"id":"n1","type":"x","data":{},"attempts":-1000000}', /attempts/],
    ["huge maxAttempts", '{"id":"n2","type":"x","data":{},"maxAttempts":1e12}', /maxAttempts/],
    ["fractional attempts", '{"id":"n3","type":"x","data":{},"attempts":1.5}', /attempts/],
    ["huge backoff", '{"id":"n4","type":"x","data":{},"backoff":{"type":"fixed","delayMs":1e15}}', /backoff/],
    ["control characters in the id", '{"id":"a\\u0000b","type":"x","data":{}}', /id/],
    ["nesting beyond the bound", `{"id":"deep","type":"x","data":${"[".repeat(3_000)}${"]".repeat(3_000)}}`, /deeper/],
  ])("dead-letters %s as invalid with the reason", async (_, payload, reason) => {
    const name = queueName("raw");
    const queue = new Queue(name, { connection: t.redis });
    let runs = 0;
    worker = createWorker(name, async () => void runs++, { connection: t.connect() });
    await t.redis.rpush(queue.keys.pending, payload);
    await waitFor(async () => (await queue.stats()).dead === 1);
    const {
      entries: [entry],
    } = await queue.dlq.list({ limit: 1 });
    expect(entry).toMatchObject({ reason: "invalid", error: expect.stringMatching(reason) });
    expect(runs).toBe(0);
  });

  it("dead-letters a payload over the size limit as too_large, keeping only a bounded prefix", async () => {
    const name = queueName("large");
    const queue = new Queue(name, { connection: t.redis });
    worker = createWorker(name, async () => {}, { connection: t.connect(), maxJobBytes: 10_000 });
    await t.redis.rpush(
      queue.keys.pending,
      JSON.stringify({ id: "big", type: "x", data: { s: "x".repeat(3_000_000) } }),
    );
    await waitFor(async () => (await queue.stats()).dead === 1);
    const {
      entries: [entry],
    } = await queue.dlq.list({ limit: 1 });
    expect(entry).toMatchObject({ id: "big", reason: "too_large", rawBytes: expect.any(Number) });
    expect(entry?.raw?.length).toBeLessThanOrEqual(4_096);
    expect(await t.redis.memory("USAGE", queue.keys.dlq)).toBeLessThan(20_000);
  });
});
