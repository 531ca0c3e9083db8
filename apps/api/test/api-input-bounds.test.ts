// #10 findings 2 and 3 at the API: nesting depth and job size are bounded before anything
// recursive runs (400 too_deep, 413 too_big, each with an issue), and jobs already in Redis that
// are deep or huge are answered as a bounded preview, never a 500.
import { MAX_JOB_DEPTH, Queue, queueKeys } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const MAX_JOB_BYTES = 256 * 1024;

/** JSON text of a value nested `levels` deep, built as text (nothing recursive builds it). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

async function post(path: string, body: string, key = SERVICE_KEY): Promise<{ status: number; body: string }> {
  const response = await fetch(`${h.app.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body,
  });
  return { status: response.status, body: await response.text() };
}

interface ErrorBody {
  error: { message: string; data: { code: string; issues: { path: string; code: string; message: string }[] | null } };
}

function sendBody(data: string): string {
  return `{"template":"welcome","to":"deep@example.com","data":{"user_name":"D","extra":${data}}}`;
}

describe("nesting depth", () => {
  it.each([
    ["300,000 levels", 300_000],
    ["3,000 levels", 3_000],
    ["just past MAX_JOB_DEPTH", MAX_JOB_DEPTH + 1],
  ])("email.send with data nested %s is a 400 naming the bound", async (_name, levels) => {
    const started = performance.now();
    const answer = await post("email.send", sendBody(nested(levels)));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(400);
    const error = (JSON.parse(answer.body) as ErrorBody).error;
    expect(error.message).toMatch(/deeper than 64 levels \(MAX_JOB_DEPTH\)/);
    expect(error.data.issues?.[0]).toMatchObject({ code: "too_deep" });
    expect(answer.body).not.toMatch(/stack|\.ts:\d+/);
  });

  it("takes data nested a few levels below the bound", async () => {
    const answer = await post("email.send", sendBody(nested(MAX_JOB_DEPTH - 4)));
    expect(answer.status, answer.body).toBe(200);
  });

  it("bounds a GET query's input the same way", async () => {
    // Node's HTTP server takes 16 KB of URL; Bun's more. 1,000 levels is far past the bound either way.
    const input = encodeURIComponent(`{"id":"x","deep":${"[".repeat(1_000)}${"]".repeat(1_000)}}`);
    const response = await fetch(`${h.app.url}/trpc/jobs.get?input=${input}`, {
      headers: { "x-api-key": SERVICE_KEY },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/MAX_JOB_DEPTH/);
  });

  it("bounds a batch recipient's data and a schedule's job", async () => {
    const batch = await trpcError(
      h.service.email.sendBatch.mutate({
        template: "welcome",
        data: { user_name: "B" },
        recipients: [{ to: "a@example.com" }, { to: "b@example.com", data: JSON.parse(nested(MAX_JOB_DEPTH)) }],
      }),
    );
    expect(batch.code).toBe("BAD_REQUEST");
    expect(batch.issues).toEqual([expect.objectContaining({ path: "recipients.1.data", code: "too_deep" })]);
    const schedule = await trpcError(
      h.admin.schedules.create.mutate({
        queue: "reports",
        name: "deep",
        cron: "0 * * * *",
        job: { type: "r", data: JSON.parse(nested(MAX_JOB_DEPTH)) },
      }),
    );
    expect(schedule.issues).toEqual([expect.objectContaining({ path: "job", code: "too_deep" })]);
  });
});

describe("job size", () => {
  it("email.send over MAX_JOB_BYTES is a 413 with the size and the bound, and queues nothing", async () => {
    const before = (await h.admin.queues.stats.query({ queue: "email" })).pending;
    const error = await trpcError(
      h.service.email.send.mutate({
        template: "welcome",
        to: "big@example.com",
        data: { user_name: "B", blob: "x".repeat(MAX_JOB_BYTES) },
      }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.httpStatus).toBe(413);
    expect(error.message).toMatch(/job is \d+ bytes, over the limit of 262144 bytes \(MAX_JOB_BYTES/);
    expect(error.issues).toEqual([expect.objectContaining({ path: "data", code: "too_big" })]);
    expect((await h.admin.queues.stats.query({ queue: "email" })).pending).toBe(before);
  });

  it("sms.send and sendBatch are bounded per job", async () => {
    const sms = await trpcError(
      h.service.sms.send.mutate({
        template: "otp",
        to: "+919876543210",
        data: { otp: "1234", pad: "x".repeat(MAX_JOB_BYTES) },
      }),
    );
    expect(sms.code).toBe("PAYLOAD_TOO_LARGE");
    const batch = await trpcError(
      h.service.email.sendBatch.mutate({
        template: "welcome",
        data: { user_name: "B" },
        recipients: [{ to: "a@example.com" }, { to: "b@example.com", data: { pad: "x".repeat(MAX_JOB_BYTES) } }],
      }),
    );
    expect(batch.code).toBe("PAYLOAD_TOO_LARGE");
    expect(batch.issues?.[0]?.path).toBe("recipients.1.data");
  });

  it("a body past the request bound is a 413 before it is parsed", async () => {
    const answer = await post("email.send", sendBody(JSON.stringify("x".repeat(9 * 1024 * 1024))));
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as ErrorBody).error.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("MAX_JOB_BYTES is configurable", async () => {
    const small = await startHarness({ config: { maxJobBytes: 8_192 } });
    try {
      const error = await trpcError(
        small.service.email.send.mutate({
          template: "welcome",
          to: "s@example.com",
          data: { user_name: "S", pad: "x".repeat(9_000) },
        }),
      );
      expect(error.message).toMatch(/over the limit of 8192 bytes/);
      // Room is kept for the engine's own fields: a job near the bound is refused, not dead-lettered later.
      const near = await trpcError(
        small.service.email.send.mutate({
          template: "welcome",
          to: "s@example.com",
          data: { user_name: "S", pad: "x".repeat(7_000) },
        }),
      );
      expect(near.code).toBe("PAYLOAD_TOO_LARGE");
      const fits = await small.service.email.send.mutate({
        template: "welcome",
        to: "s@example.com",
        data: { user_name: "S", pad: "x".repeat(5_000) },
      });
      expect(fits.duplicate).toBe(false);
    } finally {
      await small.close();
    }
  });
});

describe("deep and huge jobs already in Redis", () => {
  const queue = "raw_hostile";
  const deepIds = ["deep-300k", "deep-30k"];
  beforeAll(async () => {
    const keys = queueKeys(queue);
    await new Queue(queue, { connection: h.redis }).push({ type: "fine", data: { ok: true } });
    await h.redis.rpush(
      keys.pending,
      `{"id":"deep-300k","type":"t","data":${nested(300_000)}}`,
      `{"id":"deep-30k","type":"t","data":${nested(30_000)}}`,
      JSON.stringify({ id: "huge", type: "t", data: { blob: "y".repeat(5 * 1024 * 1024) } }),
    );
    await h.redis.lpush(
      keys.completed,
      `{"finishedAt":1,"job":{"id":"deep-done","type":"t","data":${nested(30_000)}}}`,
    );
    await h.redis.lpush(
      keys.dlq,
      `{"id":"deep-dead","reason":"failed","error":"x","attempts":1,"failedAt":1,"queue":"${queue}","job":{"id":"deep-dead","type":"t","data":${nested(30_000)}}}`,
    );
  });

  it("jobs.get answers every one whole, never a 500: too deep to serialize is raw text", async () => {
    for (const id of [...deepIds, "deep-done"]) {
      const found = await h.admin.jobs.get.query({ queue, id });
      expect(found.job, id).toBeNull();
      expect(found.truncated, id).toBe("too_deep");
      expect(found.raw, id).toContain(`"id":"${id}"`);
      expect(found.bytes ?? 0).toBeGreaterThan(60_000);
    }
    // An operator must be able to see and download a 5 MB job: one job comes whole.
    const huge = await h.admin.jobs.get.query({ queue, id: "huge" });
    expect((huge.job?.data as { blob: string }).blob).toHaveLength(5 * 1024 * 1024);
    expect(huge.truncated).toBe("too_large");
  });

  it("jobs.list, jobs.search, queues.peek and the dead letters stay small", async () => {
    const page = await h.admin.jobs.list.query({ queue, state: "pending", limit: 10 });
    expect(page.jobs).toHaveLength(4);
    expect(page.jobs.filter((j) => j.truncated)).toHaveLength(3);
    const fine = page.jobs.find((j) => j.job?.type === "fine");
    expect(fine?.job?.data).toEqual({ ok: true });
    // The big one is listed by its envelope: id, type and attempts, no data.
    expect(page.jobs.find((j) => j.job?.id === "huge")).toMatchObject({
      job: { id: "huge", type: "t", data: {} },
      truncated: "too_large",
      bytes: expect.any(Number),
    });
    // Each entry is at most MAX_JOB_BYTES of text, whatever is stored (here 5 MB and 600 KB).
    for (const j of page.jobs) expect(j.raw.length, j.job?.id).toBeLessThanOrEqual(MAX_JOB_BYTES);
    expect(JSON.stringify(page).length).toBeLessThan(4 * MAX_JOB_BYTES);

    expect((await h.admin.jobs.list.query({ queue, state: "completed" })).jobs[0]?.truncated).toBe("too_deep");
    const search = await h.admin.jobs.search.query({ queue, text: "deep" });
    expect(search.length).toBeGreaterThanOrEqual(3);
    expect(search.every((j) => j.job === null)).toBe(true);
    for (const j of search) expect(j.raw.length).toBeLessThanOrEqual(MAX_JOB_BYTES);
    expect((await h.admin.queues.peek.query({ queue, limit: 10 })).filter((j) => j.truncated)).toHaveLength(3);
    const dead = await h.admin.dlq.list.query({ queue });
    expect(dead.entries[0]).toMatchObject({ id: "deep-dead", job: null, truncated: "too_deep" });
    expect((await h.admin.dlq.get.query({ queue, id: "deep-dead" })).truncated).toBe("too_deep");
  });
});
