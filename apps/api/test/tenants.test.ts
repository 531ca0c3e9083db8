// #10 finding 10: each service key is a tenant. Idempotency keys, jobs.get and batches.get are
// scoped to the key that created them (another key gets NOT_FOUND, never the data); the admin
// token sees every tenant; the envelope and the batch record name the tenant, never the key.

import { createNotifyClient, type NotifyClient } from "@notify/client";
import { queueKeys } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, OTHER_SERVICE_KEY, SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
let other: NotifyClient;
beforeAll(async () => {
  h = await startHarness();
  other = createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY });
});
afterAll(async () => {
  await h?.close();
});

const welcome = (to: string) => ({ template: "welcome" as const, to, data: { user_name: "T" } });

describe("idempotency keys", () => {
  it("are per tenant: another application's key never suppresses this one's email", async () => {
    const key = { options: { idempotencyKey: "order-1001" } };
    const first = await h.service.email.send.mutate({ ...welcome("a@example.com"), ...key });
    const theirs = await other.email.send.mutate({ ...welcome("b@example.com"), ...key });
    expect(first.duplicate).toBe(false);
    expect(theirs.duplicate).toBe(false);
    expect(theirs.jobId).not.toBe(first.jobId);
    const again = await h.service.email.send.mutate({ ...welcome("a@example.com"), ...key });
    expect(again).toMatchObject({ duplicate: true, jobId: first.jobId });
    const sms = {
      template: "otp" as const,
      to: "+919876543210",
      data: { otp: "4321" },
      options: { idempotencyKey: "otp-1" },
    };
    expect((await h.service.sms.send.mutate(sms)).duplicate).toBe(false);
    expect((await other.sms.send.mutate(sms)).duplicate).toBe(false);
  });
});

describe("jobs.get", () => {
  it("answers another tenant's job exactly like a missing one", async () => {
    const otp = await h.service.sms.send.mutate({ template: "otp", to: "+919812345678", data: { otp: "908172" } });
    expect((await h.service.jobs.get.query({ queue: "sms", id: otp.jobId })).job?.data).toEqual({ otp: "908172" });

    const theirs = await trpcError(other.jobs.get.query({ queue: "sms", id: otp.jobId }));
    const missing = await trpcError(other.jobs.get.query({ queue: "sms", id: "no-such-job" }));
    expect(theirs.code).toBe("NOT_FOUND");
    expect(theirs.message).toBe(`no job ${otp.jobId} in sms`);
    expect(missing.message).toBe("no job no-such-job in sms");
    expect(JSON.stringify(theirs)).not.toMatch(/908172|9812345678/);

    const seenByAdmin = await h.admin.jobs.get.query({ queue: "sms", id: otp.jobId });
    expect(seenByAdmin.job).toMatchObject({ tenant: "tests", data: { otp: "908172" } });
  });

  it("keeps jobs sent without a key (redis-cli, the admin) from service keys", async () => {
    await h.redis.rpush(queueKeys("email").pending, '{"id":"raw-1","type":"welcome","to":"r@example.com","data":{}}');
    expect((await trpcError(h.service.jobs.get.query({ id: "raw-1" }))).code).toBe("NOT_FOUND");
    expect((await h.admin.jobs.get.query({ id: "raw-1" })).id).toBe("raw-1");
  });

  it("covers every enqueue path: the fast email path, options, batches", async () => {
    const fast = await h.service.email.send.mutate(welcome("f@example.com"));
    const delayed = await h.service.email.send.mutate({ ...welcome("d@example.com"), options: { delayMs: 60_000 } });
    const batch = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "B" },
      recipients: [{ to: "x@example.com" }],
    });
    const [batchJob] = (await h.admin.jobs.search.query({ queue: "email", text: batch.batchId })).map((f) => f.job);
    for (const id of [fast.jobId, delayed.jobId, batchJob?.id ?? ""]) {
      expect((await h.service.jobs.get.query({ id })).job?.tenant).toBe("tests");
      expect((await trpcError(other.jobs.get.query({ id }))).code).toBe("NOT_FOUND");
    }
  });
});

describe("batches.get", () => {
  it("is the creating tenant's, and its batch id cannot be joined by another tenant", async () => {
    const batch = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "C" },
      recipients: [{ to: "c1@example.com" }, { to: "c2@example.com" }],
      batchId: "spring-sale",
    });
    expect((await h.service.batches.get.query({ batchId: batch.batchId })).total).toBe(2);
    expect((await trpcError(other.batches.get.query({ batchId: "spring-sale" }))).code).toBe("NOT_FOUND");
    expect((await h.admin.batches.get.query({ batchId: "spring-sale" })).tenant).toBe("tests");

    const join = await trpcError(
      other.email.sendBatch.mutate({
        template: "welcome",
        data: { user_name: "E" },
        recipients: [{ to: "e@example.com" }],
        batchId: "spring-sale",
      }),
    );
    expect(join.code).toBe("CONFLICT");
    expect((await h.admin.batches.get.query({ batchId: "spring-sale" })).total).toBe(2);
  });
});

describe("what is stored", () => {
  it("names the tenant in the envelope and the batch record, never the key", async () => {
    const raw = [
      ...(await h.redis.lrange(queueKeys("email").pending, 0, -1)),
      ...(await h.redis.lrange(queueKeys("sms").pending, 0, -1)),
      JSON.stringify(await h.redis.hgetall(queueKeys("email").batch("spring-sale"))),
    ].join("\n");
    expect(raw).toContain('"tenant":"tests"');
    expect(raw).toContain('"tenant":"other"');
    expect(raw).not.toContain(SERVICE_KEY);
    expect(raw).not.toContain(OTHER_SERVICE_KEY);
  });
});
