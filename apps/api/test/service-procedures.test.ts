// Service procedures through @notify/client over real HTTP and a real Redis.
import { Queue } from "@notify/queue";
import { type EmailEventType, recordEmailEvent } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("email.send", () => {
  it("queues a valid email and jobs.get reports it pending", async () => {
    const sent = await h.service.email.send.mutate({
      template: "welcome",
      to: "ann@example.com",
      data: { user_name: "Ann" },
    });
    expect(sent).toMatchObject({ queue: "email", duplicate: false });
    const job = await h.service.jobs.get.query({ id: sent.jobId });
    expect(job).toMatchObject({ state: "pending", attempts: 0, lastError: null });
    expect(job.job).toMatchObject({ type: "welcome", to: "ann@example.com", data: { user_name: "Ann" } });
  });

  it("delays with delayMs and runAt", async () => {
    const delayed = await h.service.email.send.mutate({
      template: "welcome",
      to: "later@example.com",
      data: { user_name: "Later" },
      options: { delayMs: 60_000 },
    });
    expect((await h.service.jobs.get.query({ id: delayed.jobId })).state).toBe("delayed");
    const at = await h.service.email.send.mutate({
      template: "welcome",
      to: "at@example.com",
      data: { user_name: "At" },
      options: { runAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    const found = await h.service.jobs.get.query({ id: at.jobId });
    expect(found.state).toBe("delayed");
    expect(found.at).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it("does not queue twice for one idempotency key", async () => {
    const input = {
      template: "welcome" as const,
      to: "once@example.com",
      data: { user_name: "Once" },
      options: { idempotencyKey: "signup-42" },
    };
    const first = await h.service.email.send.mutate(input);
    const second = await h.service.email.send.mutate(input);
    expect(second).toMatchObject({ jobId: first.jobId, duplicate: true });
  });

  it("puts an urgent job at the head of the queue", async () => {
    const urgent = await h.service.email.send.mutate({
      template: "welcome",
      to: "first@example.com",
      data: { user_name: "First" },
      options: { urgent: true },
    });
    const [head] = await new Queue("email", { connection: h.redis }).peek(1);
    expect(head?.job?.id).toBe(urgent.jobId);
  });

  it("queues a job with a priority level into the prioritized lane and refuses a level outside 1-10", async () => {
    const queue = new Queue("email", { connection: h.redis });
    const sent = await h.service.email.send.mutate({
      template: "welcome",
      to: "ranked@example.com",
      data: { user_name: "Ranked" },
      options: { priority: 3 },
    });
    const lane = await h.redis.zrange(queue.keys.prioritized, 0, -1);
    expect(lane.map((raw) => JSON.parse(raw))).toContainEqual(expect.objectContaining({ id: sent.jobId, priority: 3 }));
    const bad = h.service.email.send.mutate({
      template: "welcome",
      to: "ranked@example.com",
      data: { user_name: "Ranked" },
      options: { priority: 11 },
    });
    await expect(bad).rejects.toThrow(/priority/);
  });
});

describe("sms.send", () => {
  it("queues an OTP as urgent and expiring by default, and a bulk SMS as neither", async () => {
    const before = Date.now();
    const otp = await h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "123456" } });
    expect(otp).toMatchObject({ queue: "sms", urgent: true });
    const bulk = await h.service.sms.send.mutate({
      template: "cashback_credited",
      to: "+14155550100",
      data: { amount: 5 },
    });
    expect(bulk.urgent).toBe(false);
    const job = await h.service.jobs.get.query({ queue: "sms", id: otp.jobId });
    expect(job.job).toMatchObject({ type: "otp", to: "+919876543210", urgent: true });
    // A late OTP is worse than none: past five minutes it is dead-lettered as expired, never sent.
    expect(Number(job.job?.expiresAt) - before).toBeGreaterThanOrEqual(5 * 60_000);
    expect(Number(job.job?.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const bulkJob = await h.service.jobs.get.query({ queue: "sms", id: bulk.jobId });
    expect(bulkJob.job?.expiresAt).toBeUndefined();
  });
});

describe("email.sendBatch and batches.get", () => {
  it("queues one job per recipient under one batch id and reports progress", async () => {
    const recipients = Array.from({ length: 2_500 }, (_, i) => ({
      to: `r${i}@example.com`,
      data: { user_name: `R${i}` },
    }));
    const result = await h.service.email.sendBatch.mutate({
      template: "welcome",
      recipients,
      data: { referral_code: "SPRING" },
    });
    expect(result.count).toBe(2_500);
    const batch = await h.service.batches.get.query({ batchId: result.batchId });
    expect(batch).toMatchObject({
      batchId: result.batchId,
      total: 2_500,
      sent: 0,
      failed: 0,
      pending: 2_500,
      delivered: 0,
      opened: 0,
    });
    const found = await new Queue("email", { connection: h.redis }).search("r2499@example.com", { limit: 1 });
    expect(found[0]?.job).toMatchObject({
      batchId: result.batchId,
      data: { user_name: "R2499", referral_code: "SPRING" },
    });
  });

  it("reports what recipients did, from the email events counted into the batch", async () => {
    const { batchId } = await h.service.email.sendBatch.mutate({
      template: "welcome",
      recipients: [{ to: "o1@example.com" }, { to: "o2@example.com" }, { to: "o3@example.com" }],
      data: { user_name: "O" },
    });
    const events: [EmailEventType, string][] = [
      ["EMAIL_DELIVERED", "o1@example.com"],
      ["EMAIL_DELIVERED", "o2@example.com"],
      ["EMAIL_OPENED", "o1@example.com"],
      // The same recipient twice is one unique open.
      ["EMAIL_OPENED", "O1@example.com"],
      ["EMAIL_OPENED", "o2@example.com"],
      ["EMAIL_CLICKED", "o2@example.com"],
      ["EMAIL_BOUNCED", "o3@example.com"],
    ];
    for (const [index, [type, recipient]] of events.entries()) {
      await recordEmailEvent(
        h.redis,
        { type, data: { recipient, timestamp: 1_764_600_000_000, batchId } },
        `ev-${batchId}-${index}`,
      );
    }
    expect(await h.service.batches.get.query({ batchId })).toMatchObject({
      total: 3,
      pending: 3,
      delivered: 2,
      opened: 2,
      clicked: 1,
      bounced: 1,
    });
  });

  it("takes the largest batch allowed, 100,000 recipients, in one call", async () => {
    const recipients = Array.from({ length: 100_000 }, (_, i) => ({ to: `big${i}@example.com` }));
    const result = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "Big" },
      recipients,
    });
    expect(result.count).toBe(100_000);
    expect((await h.service.batches.get.query({ batchId: result.batchId })).total).toBe(100_000);
  });

  it("takes a caller's batch id", async () => {
    const result = await h.service.email.sendBatch.mutate({
      template: "welcome",
      batchId: "campaign-2026-spring",
      recipients: [{ to: "a@example.com", data: { user_name: "A" } }],
    });
    expect(result.batchId).toBe("campaign-2026-spring");
  });

  it("answers NOT_FOUND for an unknown batch and an unknown job", async () => {
    expect((await trpcError(h.service.batches.get.query({ batchId: "nope" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(h.service.jobs.get.query({ id: "nope" }))).code).toBe("NOT_FOUND");
  });
});
