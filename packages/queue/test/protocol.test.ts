// The wire protocol: plain JSON in a list, so any language can produce jobs.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, type Job, Queue, type Worker } from "../src/index.ts";
import { untilSomeWorkerBlocks } from "./fixtures/blocked-client.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
let worker: Worker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

describe("jobs written by other languages", () => {
  it("runs a seed-004 job pushed with a bare RPUSH while the worker is blocked, with no polling delay", async () => {
    const name = queueName("raw");
    const seen: Job[] = [];
    // A block timeout far longer than the wait below: only a wake-up on push can pass.
    worker = createWorker(name, async (job) => void seen.push(job), {
      connection: t.connect(),
      blockTimeoutSeconds: 30,
    });
    await worker.start();
    await untilSomeWorkerBlocks(t.redis);
    await t.redis.rpush(
      `queue:{${name}}`,
      '{"id":"test123","type":"welcome","to":"test@example.com","data":{},"attempts":0}',
    );
    await waitFor(() => seen.length === 1, { timeoutMs: 2_000, message: "job run" });
    expect(seen[0]).toMatchObject({ id: "test123", type: "welcome", to: "test@example.com", attempts: 0 });
  });

  it("assigns an id when the producer gave none", async () => {
    const name = queueName("noid");
    const seen: Job[] = [];
    worker = createWorker(name, async (job) => void seen.push(job), { connection: t.connect() });
    await t.redis.rpush(
      `queue:{${name}}`,
      JSON.stringify({ type: "welcome", to: "a@example.com", data: { user_name: "A" } }),
    );
    await waitFor(() => seen.length === 1);
    expect(seen[0]?.id).toMatch(/^[0-9a-z]{17}$/);
    expect(seen[0]?.attempts).toBe(0);
  });

  it("dead-letters malformed JSON and invalid jobs with the reason and keeps going", async () => {
    const name = queueName("bad");
    const queue = new Queue(name, { connection: t.redis });
    const seen: string[] = [];
    worker = createWorker(name, async (job) => void seen.push(job.id), { connection: t.connect() });
    await t.redis.rpush(
      queue.keys.pending,
      "{not json",
      JSON.stringify({ id: "no-type", data: {} }),
      JSON.stringify({ id: "bad-data", type: "x", data: "text" }),
      JSON.stringify({ id: "good", type: "x", data: {}, attempts: 0 }),
    );
    await waitFor(async () => (await queue.stats()).dead === 3 && seen.length === 1, { message: "3 dead, 1 run" });
    const { entries } = await queue.dlq.list();
    const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
    expect(entries.every((e) => e.reason === "invalid")).toBe(true);
    expect(byId["no-type"]?.error).toMatch(/type/);
    expect(byId["bad-data"]?.error).toMatch(/data/);
    const malformed = entries.find((e) => e.raw === "{not json");
    expect(malformed?.error).toMatch(/malformed JSON/);
    expect(seen).toEqual(["good"]);
  });

  it("acks payloads whose id is not at their head or is not plain ASCII, keyed by content", async () => {
    const name = queueName("foreign");
    const queue = new Queue(name, { connection: t.redis });
    const seen: string[] = [];
    worker = createWorker(name, async (job) => void seen.push(job.id), { connection: t.connect() });
    await t.redis.rpush(
      queue.keys.pending,
      JSON.stringify({ type: "x", id: "type-first", data: {} }),
      JSON.stringify({ id: "café-7", type: "x", data: {} }),
      JSON.stringify({ id: "plain-1", type: "x", data: {} }),
    );
    await waitFor(async () => (await queue.stats()).processed === 3, { message: "all three acked" });
    expect(seen.sort()).toEqual(["café-7", "plain-1", "type-first"]);
    expect(await t.redis.hlen(queue.keys.active(worker.id))).toBe(0);
  });

  it("lets an urgent job overtake a backlog", async () => {
    const name = queueName("urgent");
    const queue = new Queue(name, { connection: t.redis });
    await queue.pushBulk(Array.from({ length: 500 }, (_, i) => ({ type: "bulk", data: { i } })));
    const { id: otp } = await queue.push({ type: "otp", data: {} }, { urgent: true });
    const order: string[] = [];
    worker = createWorker(name, async (job) => void order.push(job.id), { connection: t.connect(), concurrency: 1 });
    await waitFor(() => order.length === 501);
    expect(order[0]).toBe(otp);
  });
});
