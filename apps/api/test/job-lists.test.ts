// jobs.list, jobs.delayed and batches.list through @notify/client: the dashboard's paged views of a queue.
import { createRedis, createWorker } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const welcome = (name: string) => ({
  template: "welcome" as const,
  to: `${name}@example.com`,
  data: { user_name: name },
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("jobs.list", () => {
  it("is for the admin token only", async () => {
    const call = (c: Harness["admin"]) => c.jobs.list.query({ queue: "email", state: "pending" });
    expect((await trpcError(call(h.anonymous))).code).toBe("UNAUTHORIZED");
    expect((await trpcError(call(h.service))).code).toBe("UNAUTHORIZED");
    expect((await call(h.admin)).state).toBe("pending");
  });

  it("pages pending jobs head first and lists delayed ones soonest first", async () => {
    const sent = [];
    for (const name of ["ann", "bob", "cy", "dee", "eve"]) sent.push(await h.service.email.send.mutate(welcome(name)));
    const page = await h.admin.jobs.list.query({ queue: "email", state: "pending", offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.jobs.map((j) => j.job?.id)).toEqual([sent[1]?.jobId, sent[2]?.jobId]);
    expect(page.jobs.map((j) => j.job?.to)).toEqual(["bob@example.com", "cy@example.com"]);

    const later = await h.service.email.send.mutate({ ...welcome("late"), options: { delayMs: 3_600_000 } });
    const sooner = await h.service.email.send.mutate({ ...welcome("soon"), options: { delayMs: 60_000 } });
    const delayed = await h.admin.jobs.list.query({ queue: "email", state: "delayed" });
    expect(delayed.total).toBe(2);
    expect(delayed.jobs.map((j) => j.job?.id)).toEqual([sooner.jobId, later.jobId]);
    const [first, second] = delayed.jobs;
    expect(first?.at).toBeGreaterThan(Date.now());
    expect(second?.at).toBeGreaterThan(first?.at ?? Number.POSITIVE_INFINITY);
  });

  it("refuses an unknown queue, an unknown state and a page over 200", async () => {
    expect((await trpcError(h.admin.jobs.list.query({ queue: "no_such_queue", state: "dead" }))).code).toBe(
      "NOT_FOUND",
    );
    const badState = h.admin.jobs.list.query({ queue: "email", state: "lost" as "dead" });
    expect((await trpcError(badState)).code).toBe("BAD_REQUEST");
    const tooMany = h.admin.jobs.list.query({ queue: "email", state: "dead", limit: 201 });
    expect((await trpcError(tooMany)).code).toBe("BAD_REQUEST");
  });
});

describe("jobs.delayed", () => {
  it("tells a retry waiting after a failure (error, attempt n of max) from a producer's delay", async () => {
    const connection = createRedis(h.redisServer.url);
    const worker = createWorker(
      "sms",
      async () => {
        throw new Error("gateway timed out");
      },
      { connection, maxAttempts: 4, backoff: { type: "fixed", delayMs: 60_000 } },
    );
    try {
      const failing = await h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "1234" } });
      const later = await h.service.sms.send.mutate({
        template: "otp",
        to: "+919876543211",
        data: { otp: "5678" },
        options: { delayMs: 120_000 },
      });
      await waitFor(async () => (await h.admin.jobs.delayed.query({ queue: "sms", kind: "retrying" })).total === 1, {
        message: "the failed SMS waits for its next attempt",
      });
      const retrying = await h.admin.jobs.delayed.query({ queue: "sms", kind: "retrying" });
      expect(retrying.jobs.map((j) => [j.job?.id, j.attempts, j.maxAttempts, j.lastError])).toEqual([
        [failing.jobId, 1, 4, "gateway timed out"],
      ]);
      const scheduled = await h.admin.jobs.delayed.query({ queue: "sms", kind: "scheduled" });
      expect({ total: scheduled.total, ids: scheduled.jobs.map((j) => j.job?.id) }).toEqual({
        total: 1,
        ids: [later.jobId],
      });
      expect((await trpcError(h.service.jobs.delayed.query({ queue: "sms", kind: "retrying" }))).code).toBe(
        "UNAUTHORIZED",
      );
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});

describe("batches.list", () => {
  it("lists a batch pushed with email.sendBatch, newest first, for the admin token only", async () => {
    const older = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "Friend" },
      recipients: [{ to: "a@example.com" }],
      // Within one millisecond Redis orders by id: these two sort the same way either way.
      batchId: "autumn-campaign",
    });
    const newer = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "Friend" },
      recipients: [{ to: "b@example.com" }, { to: "c@example.com" }],
      batchId: "spring-campaign",
    });
    expect((await trpcError(h.service.batches.list.query({}))).code).toBe("UNAUTHORIZED");
    const listed = await h.admin.batches.list.query({});
    expect(listed.map((b) => b.batchId)).toEqual([newer.batchId, older.batchId]);
    expect(listed[0]).toMatchObject({ batchId: "spring-campaign", total: 2, sent: 0, pending: 2, failed: 0 });
    // batches.get adds the contacts that never became a job (seed 003); the rest is the same view.
    const { contactFailures, ...got } = await h.service.batches.get.query({ batchId: "spring-campaign" });
    expect(contactFailures).toEqual({ total: 0, failures: [] });
    expect(listed[0]).toEqual(got);
    expect((await h.admin.batches.list.query({ offset: 1, limit: 1 })).map((b) => b.batchId)).toEqual([older.batchId]);
    expect((await trpcError(h.admin.batches.list.query({ limit: 101 }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.admin.batches.list.query({ queue: "no_such_queue" }))).code).toBe("NOT_FOUND");
  });
});
