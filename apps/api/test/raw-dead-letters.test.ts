// The admin API on dead letters that never parsed (issue 15 item 2): found by their stable id,
// opened as a job with its raw body, retried after an edit only when it now parses, deleted.
import { queueKeys } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const QUEUE = "email";
/** As a worker writes a payload that never parsed, minus an id of its own. */
const unparsed = JSON.stringify({
  reason: "invalid",
  error: "malformed JSON",
  attempts: 0,
  failedAt: 1,
  queue: QUEUE,
  job: null,
  raw: '{"type":',
});
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.redis.lpush(queueKeys(QUEUE).dlq, "not json at all", unparsed);
});
afterAll(async () => {
  await h?.close();
});

describe("unparseable dead letters through the admin API", () => {
  it("lists each with an id that opens it and shows its raw body", async () => {
    const { entries } = await h.admin.dlq.list.query({ queue: QUEUE });
    const ids = entries.map((e) => e.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^raw-/);
    const opened = await h.admin.jobs.get.query({ queue: QUEUE, id: ids[1] ?? "" });
    expect(opened).toMatchObject({ state: "dead", job: null, raw: "not json at all" });
    expect((await h.admin.dlq.get.query({ queue: QUEUE, id: ids[0] ?? "" })).raw).toBe('{"type":');
    const listed = await h.admin.jobs.list.query({ queue: QUEUE, state: "dead" });
    expect(listed.jobs.map((j) => j.id)).toEqual(ids);
  });

  it("says why an edit that is still not a job was refused, and keeps the dead letter", async () => {
    const [id] = (await h.admin.dlq.list.query({ queue: QUEUE })).entries.map((e) => e.id) as [string];
    const refused = await trpcError(h.admin.dlq.retryEdited.mutate({ queue: QUEUE, id, raw: '{"type":' }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toMatch(/still not a job: malformed JSON/);
    const missing = await trpcError(h.admin.dlq.retryEdited.mutate({ queue: QUEUE, id: "raw-none", raw: "{}" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect((await h.admin.dlq.list.query({ queue: QUEUE })).total).toBe(2);
  });

  it("queues the fixed job, then deletes the other", async () => {
    const [fixable, other] = (await h.admin.dlq.list.query({ queue: QUEUE })).entries.map((e) => e.id) as [
      string,
      string,
    ];
    const raw = '{"id":"fixed-by-hand","type":"welcome","to":"a@example.com","data":{"name":"A"}}';
    expect(await h.admin.dlq.retryEdited.mutate({ queue: QUEUE, id: fixable, raw })).toEqual({
      retried: true,
      id: "fixed-by-hand",
    });
    expect((await h.admin.jobs.get.query({ queue: QUEUE, id: "fixed-by-hand" })).state).toBe("pending");
    expect(await h.admin.dlq.delete.mutate({ queue: QUEUE, id: other })).toEqual({ deleted: true });
    expect((await h.admin.dlq.list.query({ queue: QUEUE })).total).toBe(0);
    expect((await trpcError(h.admin.jobs.get.query({ queue: QUEUE, id: other }))).code).toBe("NOT_FOUND");
  });
});
