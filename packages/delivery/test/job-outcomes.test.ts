// Provider replies end jobs as sent, retried, dead-lettered or halt the queue, through the engine.
import { suppress } from "@notify/queue/notifications";
import { ProviderStandIn, waitFor } from "@notify/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startEmailHarness } from "./support/email-worker-harness.ts";
import { useRedis } from "./support/redis.ts";

const t = useRedis();
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.good" });
let harness: Harness | null = null;

beforeAll(async () => {
  await standIn.start();
});
afterEach(async () => {
  await harness?.close();
  harness = null;
  standIn.setFallback("sendgrid", { kind: "ok" });
});
afterAll(async () => {
  await standIn.stop();
});

const welcome = (to = "ann@example.com") => ({ type: "welcome", to, data: { user_name: "Ann" } });

describe("email job outcomes", () => {
  it("202: sent once and acked", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    const { id } = await harness.queue.push(welcome());
    await waitFor(() => harness?.events.some((e) => e.type === "completed" && e.jobId === id), {
      message: "completion",
    });
    expect(standIn.deliveriesOf(id)).toBe(1);
    expect((await harness.queue.stats()).processed).toBe(1);
  });

  it("500 then 202: retried, then sent once", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    standIn.script("sendgrid", { kind: "status", status: 500 });
    const { id } = await harness.queue.push(welcome());
    await waitFor(() => harness?.events.some((e) => e.type === "completed" && e.jobId === id), {
      message: "completion",
    });
    expect(harness.events.filter((e) => e.type === "retrying").map((e) => e.jobId)).toEqual([id]);
    expect(standIn.deliveriesOf(id)).toBe(1);
  });

  it("429 with Retry-After: retried no sooner than asked", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    standIn.script("sendgrid", { kind: "status", status: 429, retryAfterSeconds: 1 });
    const { id } = await harness.queue.push(welcome());
    await waitFor(() => harness?.events.some((e) => e.type === "completed" && e.jobId === id), {
      message: "completion",
    });
    expect(harness.events.find((e) => e.type === "retrying")?.delayMs).toBe(1_000);
  });

  it("a hang: retried after the timeout, then sent", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    standIn.script("sendgrid", { kind: "hang" });
    const { id } = await harness.queue.push(welcome());
    await waitFor(() => harness?.events.some((e) => e.type === "completed" && e.jobId === id), {
      message: "completion",
    });
    expect(harness.events.some((e) => e.type === "retrying" && e.jobId === id)).toBe(true);
  });

  it("500 every time: dead-lettered as exhausted after the last attempt", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    standIn.setFallback("sendgrid", { kind: "status", status: 500 });
    const { id } = await harness.queue.push(welcome(), { attempts: 2 });
    await waitFor(() => harness?.events.some((e) => e.type === "dead" && e.jobId === id), { message: "dead letter" });
    const { entries } = await harness.queue.dlq.list();
    expect(entries[0]).toMatchObject({ id, reason: "exhausted", attempts: 2 });
  });

  it("400: dead-lettered at once with the provider's message", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    standIn.script("sendgrid", { kind: "status", status: 400, message: "Does not contain a valid address." });
    const { id } = await harness.queue.push(welcome());
    await waitFor(() => harness?.events.some((e) => e.type === "dead" && e.jobId === id), { message: "dead letter" });
    const { entries } = await harness.queue.dlq.list();
    expect(entries[0]).toMatchObject({ id, reason: "rejected", attempts: 1 });
    expect(entries[0]?.error).toContain("Does not contain a valid address.");
    expect(standIn.deliveriesOf(id)).toBe(0);
  });

  it("401: the queue is paused with the reason and the job kept, not dead-lettered", async () => {
    harness = await startEmailHarness(t.redis, standIn, "SG.revoked");
    const first = await harness.queue.push(welcome());
    await harness.queue.push(welcome("bob@example.com"));
    await waitFor(() => harness?.events.some((e) => e.type === "halted"), { message: "halt" });
    const paused = await harness.queue.isPaused();
    expect(paused.paused).toBe(true);
    expect(paused.reason).toMatch(/sendgrid rejected the credentials \(401\)/);
    // The second job may still be on its way back when the halt is reported.
    const stats = await waitFor(
      async () => {
        const current = await harness?.queue.stats();
        return current && current.pending + current.delayed + current.active === 2 ? current : null;
      },
      { message: "both jobs kept" },
    );
    expect(stats.dead).toBe(0);
    expect(standIn.deliveriesOf(first.id)).toBe(0);
  });

  it("an invalid job or a suppressed recipient: dead-lettered without calling the provider", async () => {
    harness = await startEmailHarness(t.redis, standIn);
    await suppress(t.redis, "gone@example.com", "hard_bounce");
    const invalid = await harness.queue.push({ type: "welcome", to: "not-an-address", data: { user_name: "X" } });
    const suppressed = await harness.queue.push(welcome("Gone@Example.com"));
    await waitFor(() => harness?.events.filter((e) => e.type === "dead").length === 2, { message: "two dead letters" });
    const { entries } = await harness.queue.dlq.list();
    expect(entries.find((e) => e.id === invalid.id)?.reason).toBe("invalid");
    expect(entries.find((e) => e.id === suppressed.id)).toMatchObject({ reason: "suppressed", attempts: 1 });
    expect(standIn.deliveriesOf(invalid.id) + standIn.deliveriesOf(suppressed.id)).toBe(0);
  });
});
