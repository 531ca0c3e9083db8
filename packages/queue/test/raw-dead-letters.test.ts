// Dead letters whose payload never parsed (issue 15 item 2): each has a stable id that opens it,
// can be retried once its raw body is fixed, and deleted; a still-broken fix queues nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { Queue, queueKeys } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const name = queueName("rawdlq");
let queue: Queue;

const unreadable = "garbage{not json";
const unparsedPayload = JSON.stringify({
  id: "unknown",
  reason: "invalid",
  error: "malformed JSON",
  attempts: 0,
  failedAt: 1,
  queue: name,
  job: null,
  raw: '{"type":"welcome","data":{',
});

beforeAll(async () => {
  queue = new Queue(name, { connection: t.redis });
  await t.redis.lpush(queueKeys(name).dlq, unreadable, unparsedPayload);
});

async function rawIds(): Promise<string[]> {
  return (await queue.dlq.list()).entries.map((e) => e.id);
}

describe("unparseable dead letters", () => {
  it("have distinct ids that stay the same across reads and open the entry", async () => {
    const first = await rawIds();
    expect(first).toHaveLength(2);
    expect(new Set(first).size).toBe(2);
    for (const id of first) expect(id).toMatch(/^raw-[A-Za-z0-9_-]{22}$/);
    expect(await rawIds()).toEqual(first);
    const [payloadId, unreadableId] = first as [string, string];
    const opened = await queue.getJob(unreadableId);
    expect(opened).toMatchObject({ state: "dead", job: null, raw: unreadable, id: unreadableId });
    expect((await queue.getJob(payloadId))?.raw).toBe('{"type":"welcome","data":{');
    expect((await queue.jobs({ state: "dead", offset: 0, limit: 10 })).jobs.map((j) => j.id)).toEqual(first);
  });

  it("refuses an edit that still is not a job, and keeps the entry", async () => {
    const [payloadId] = (await rawIds()) as [string];
    const refused = await queue.dlq.retryEdited(payloadId, '{"type":"welcome","data":{');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/still not a job: malformed JSON/);
    const notAnObject = await queue.dlq.retryEdited(payloadId, "[1,2]");
    expect(notAnObject).toMatchObject({ ok: false, error: expect.stringMatching(/still not a job: invalid job/) });
    expect(await queue.dlq.count()).toBe(2);
    expect(await t.redis.llen(queueKeys(name).pending)).toBe(0);
  });

  it("queues a fixed body once and removes exactly that entry", async () => {
    const [payloadId, unreadableId] = (await rawIds()) as [string, string];
    const fixed = await queue.dlq.retryEdited(payloadId, '{"id":"fixed-1","type":"welcome","data":{"n":1}}');
    expect(fixed).toEqual({ ok: true, id: "fixed-1" });
    expect(await rawIds()).toEqual([unreadableId]);
    const [pending] = await t.redis.lrange(queueKeys(name).pending, 0, -1);
    expect(JSON.parse(pending ?? "null")).toMatchObject({
      id: "fixed-1",
      type: "welcome",
      data: { n: 1 },
      attempts: 0,
    });
    // A second press (another tab) finds nothing to move and queues nothing more.
    expect((await queue.dlq.retryEdited(payloadId, '{"id":"fixed-1","type":"welcome","data":{}}')).ok).toBe(false);
    expect(await t.redis.llen(queueKeys(name).pending)).toBe(1);
  });

  it("deletes one by its id", async () => {
    const [unreadableId] = (await rawIds()) as [string];
    expect(await queue.dlq.delete(unreadableId)).toBe(true);
    expect(await queue.dlq.count()).toBe(0);
    expect(await queue.getJob(unreadableId)).toBeNull();
  });

  it("treats JSON that is not a dead-letter entry as unreadable, not as a crash", async () => {
    const other = new Queue(queueName("rawdlq-shapes"), { connection: t.redis });
    await t.redis.lpush(queueKeys(other.name).dlq, "42", "{}", '{"id":"x","job":[1]}', "null");
    const { entries } = await other.dlq.list();
    expect(entries.map((e) => [e.error, e.raw])).toEqual([
      ["unreadable dead-letter entry", "null"],
      ["unreadable dead-letter entry", '{"id":"x","job":[1]}'],
      ["unreadable dead-letter entry", "{}"],
      ["unreadable dead-letter entry", "42"],
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(4);
  });
});
