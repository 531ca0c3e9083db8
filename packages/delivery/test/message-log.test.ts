// The message log through a real engine worker on a real Redis: attempts counted once each (1
// for a first-time success), every attempt's times and error, history kept across a retry from
// dead letters, provider events on the timeline, search by each field with a total, and the cap.
import { createRedis, createWorker, PermanentError, Queue, type RedisConnection, RetryableError } from "@notify/queue";
import {
  getMessage,
  messageKeys,
  pruneMessageLog,
  recordMessageEvent,
  searchMessages,
} from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryHandler, withMessageLog } from "../src/message-logging.ts";
import { silentLogger } from "./support/silent-logger.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const QUEUE = "logged-email";
/** How each recipient's sends go: how many times to fail first, and how. */
const plan = new Map<string, { failures: number; permanent?: boolean }>();
const backoff = { type: "fixed" as const, delayMs: 1 };

const send: DeliveryHandler = async (job) => {
  const step = plan.get(String(job.to)) ?? { failures: 0 };
  if (step.failures > 0) {
    step.failures--;
    if (step.permanent) throw new PermanentError("550 mailbox unavailable", { reason: "bad_address" });
    throw new RetryableError("503 try later");
  }
  return { provider: "stand-in", providerMessageId: `pm-${job.id}` };
};

let worker: ReturnType<typeof createWorker>;
let queue: Queue;
beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  queue = new Queue(QUEUE, { connection: redis });
  const handler = withMessageLog(send, {
    redis,
    queue: QUEUE,
    channel: "email",
    log: { retentionDays: 7 },
    worker: { maxAttempts: 3, backoff },
    logger: silentLogger,
  });
  worker = createWorker(QUEUE, handler, { connection: createRedis(server.url), maxAttempts: 3, backoff });
  await worker.start();
});
afterAll(async () => {
  await worker?.close();
  redis.disconnect();
  await server.stop();
});

const logged = (id: string, status: string) =>
  waitFor(
    async () => {
      const message = await getMessage(redis, id);
      return message?.status === status ? message : null;
    },
    { message: `message ${id} ${status}` },
  );

describe("message log", () => {
  it("a first-time success is one attempt, with its times, provider and provider id", async () => {
    const { id } = await queue.push(
      { type: "welcome", to: "first@example.com", data: {} },
      { idempotencyKey: "t/app/k-1", tenant: "app", batchId: "b-1" },
    );
    const message = await logged(id, "sent");
    expect(message).toMatchObject({
      id,
      attempts: 1,
      to: "first@example.com",
      template: "welcome",
      tenant: "app",
      idempotencyKey: "t/app/k-1",
      batchId: "b-1",
      provider: "stand-in",
      providerMessageId: `pm-${id}`,
    });
    const [attempt] = message.events;
    expect(message.events).toHaveLength(1);
    expect(attempt).toMatchObject({ type: "attempt", attempt: 1, outcome: "sent", provider: "stand-in" });
    if (attempt?.type !== "attempt") throw new Error("expected an attempt");
    expect(attempt.endedAt).toBeGreaterThanOrEqual(attempt.startedAt);
    expect(attempt.durationMs).toBe(attempt.endedAt - attempt.startedAt);
    expect(message.enqueuedAt).toBeLessThanOrEqual(attempt.startedAt);
  });

  it("retries are attempts 2, 3 with the error of each; a dead letter retried keeps counting", async () => {
    plan.set("flaky@example.com", { failures: 3 });
    const { id } = await queue.push({ type: "welcome", to: "flaky@example.com", data: {} });
    const dead = await logged(id, "failed");
    expect(dead.attempts).toBe(3);
    expect(dead.events.map((e) => (e.type === "attempt" ? [e.attempt, e.outcome, e.error] : e.type))).toEqual([
      [1, "retry", "503 try later"],
      [2, "retry", "503 try later"],
      [3, "failed", "503 try later"],
    ]);
    await waitFor(async () => (await queue.dlq.get(id)) !== null, { message: "dead letter" });
    expect(await queue.dlq.retry(id)).toBe(true);
    const sent = await logged(id, "sent");
    expect(sent.attempts).toBe(4);
    expect(sent.events.map((e) => (e.type === "attempt" ? e.attempt : e.type))).toEqual([
      1,
      2,
      3,
      "retried_from_dead_letters",
      4,
    ]);
    // The engine's own view of the job agrees: the round before the retry is kept in the envelope.
    const completed = await waitFor(async () => {
      const found = await queue.getJob(id);
      return found?.state === "completed" ? found : null;
    });
    expect(completed.job).toMatchObject({ priorAttempts: 3, attempts: 0 });
  });

  it("a permanent failure is one failed attempt", async () => {
    plan.set("gone@example.com", { failures: 1, permanent: true });
    const { id } = await queue.push({ type: "welcome", to: "gone@example.com", data: {} });
    const message = await logged(id, "failed");
    expect(message).toMatchObject({ attempts: 1, lastError: "550 mailbox unavailable" });
  });

  it("provider events land on the timeline; a late open does not undo a click", async () => {
    const { id } = await queue.push({ type: "welcome", to: "events@example.com", data: {} });
    await logged(id, "sent");
    const at = Date.now();
    await recordMessageEvent(redis, { jobId: id, event: { type: "delivered", at } });
    await recordMessageEvent(redis, { jobId: id, event: { type: "clicked", at: at + 1, url: "https://x.test/" } });
    const afterOpen = await recordMessageEvent(redis, { jobId: id, event: { type: "opened", at: at + 2 } });
    expect(afterOpen?.status).toBe("clicked");
    const message = await getMessage(redis, id);
    expect(message?.events.map((e) => e.type)).toEqual(["attempt", "delivered", "clicked", "opened"]);
    expect(await recordMessageEvent(redis, { jobId: "never-sent", event: { type: "opened", at } })).toBeNull();
  });

  it("finds messages by each field and time, paged, with the total", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Newest first is by time to the millisecond; two messages of one millisecond have no order.
      const pushedAt = Date.now();
      while (Date.now() === pushedAt) await new Promise((resolve) => setTimeout(resolve, 1));
      ids.push(
        (
          await queue.push(
            { type: i % 2 ? "password_reset" : "welcome", to: "Search@Example.com", data: {} },
            { batchId: "b-search" },
          )
        ).id,
      );
    }
    await waitFor(async () => (await searchMessages(redis, { batchId: "b-search" })).total === 5);
    const page = await searchMessages(redis, { to: "search@example.com", limit: 2 });
    expect(page).toMatchObject({ total: 5, exact: true });
    expect(page.messages.map((m) => m.id)).toEqual([...ids].reverse().slice(0, 2));
    const next = await searchMessages(redis, { to: "search@example.com", limit: 2, offset: 4 });
    expect(next.messages.map((m) => m.id)).toEqual([ids[0]]);
    expect((await searchMessages(redis, { to: "search@example.com", template: "password_reset" })).total).toBe(2);
    expect((await searchMessages(redis, { providerMessageId: `pm-${ids[3]}` })).messages[0]?.id).toBe(ids[3]);
    expect((await searchMessages(redis, { jobId: ids[1] })).total).toBe(1);
    expect((await searchMessages(redis, { jobId: ids[1], template: "welcome" })).total).toBe(0);
    expect((await searchMessages(redis, { to: "search@example.com", tenant: "someone-else" })).total).toBe(0);
    const future = Date.now() + 60_000;
    expect((await searchMessages(redis, { batchId: "b-search", from: future })).total).toBe(0);
  });

  it("keeps at most the cap, dropping the oldest first, and states its bytes per message", async () => {
    const before = await redis.zcard(messageKeys().all);
    const probe = (await queue.push({ type: "welcome", to: "bytes@example.com", data: {} })).id;
    await logged(probe, "sent");
    const bytes =
      Number(await redis.memory("USAGE", messageKeys().message(probe))) +
      Number(await redis.memory("USAGE", messageKeys().events(probe)));
    // docs/messages.md states about 1 KB per message with one attempt (indexes included).
    expect(bytes).toBeGreaterThan(100);
    expect(bytes).toBeLessThan(1_500);
    const [oldest] = await redis.zrange(messageKeys().all, 0, 0);
    const removed = await pruneMessageLog(redis, { maxMessages: before });
    expect(removed).toBe(1);
    expect(await redis.zcard(messageKeys().all)).toBe(before);
    expect(await getMessage(redis, String(oldest))).toBeNull();
    expect(await getMessage(redis, probe)).not.toBeNull();
  });
});
