// Real Bun worker processes against a real Redis and the provider stand-in: jobs pushed by the
// engine and by redis-cli (seed 004's shape) are delivered once each; a bounce suppresses the
// address; SIGTERM ends every process with exit code 0.
import { execFileSync } from "node:child_process";
import { createRedis, Queue, queueKeys, type RedisConnection } from "@notify/queue";
import {
  EMAIL_QUEUE,
  emailEventStats,
  isSuppressed,
  pushEmailEvent,
  pushEmailJob,
  pushSmsJob,
  SMS_QUEUE,
} from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.e2e", msg91AuthKey: "m91-e2e", latencyMs: 5 });
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await standIn.start();
  const env = {
    REDIS_URL: server.url,
    SENDGRID_API_KEY: "SG.e2e",
    SENDGRID_BASE_URL: standIn.url,
    MSG91_AUTH_KEY: "m91-e2e",
    MSG91_BASE_URL: standIn.url,
    SHUTDOWN_GRACE_MS: "5000",
  };
  // Two email workers side by side, as a Procfile line scaled to two.
  workers.push(
    spawnWorker("email", env),
    spawnWorker("email", env),
    spawnWorker("sms", env),
    spawnWorker("events", env),
  );
  await Promise.all(workers.map((w) => waitStarted(w)));
});

afterAll(async () => {
  killAll(workers);
  redis?.disconnect();
  await standIn.stop();
  await server?.stop();
});

const redisCli = (...args: string[]) =>
  execFileSync("redis-cli", ["-p", String(server.port), ...args], { encoding: "utf8" }).trim();

describe("workers end to end", () => {
  it("delivers email jobs from the engine and from redis-cli exactly once each", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push(
        (await pushEmailJob(redis, { type: "welcome", to: `user${i}@example.com`, data: { user_name: `User ${i}` } }))
          .id,
      );
    }
    const raw = JSON.stringify({
      id: "cli-1",
      type: "welcome",
      to: "a@example.com",
      data: { user_name: "A" },
      attempts: 0,
    });
    expect(Number(redisCli("RPUSH", queueKeys(EMAIL_QUEUE).pending, raw))).toBeGreaterThan(0);
    ids.push("cli-1");

    await waitFor(() => ids.every((id) => standIn.deliveriesOf(id) >= 1), {
      timeoutMs: 20_000,
      message: "all emails delivered",
    });
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    // Acks are batched, so the counters may trail the deliveries by a moment.
    const stats = await waitFor(
      async () => {
        const current = await queue.stats();
        return current.processed === ids.length ? current : null;
      },
      { message: "acks" },
    );
    expect(ids.map((id) => standIn.deliveriesOf(id))).toEqual(ids.map(() => 1));
    // Both processes took part.
    expect(stats.workers).toBe(2);
  });

  it("delivers what seed 004's producer pushes to its own keys, queue:email and queue:sms", async () => {
    // Exactly as seed 004's Python does it: json.dumps (spaces after separators) onto queue:email.
    const email =
      '{"id": "seed4-email", "type": "welcome", "to": "seed4@example.com", "data": {"user_name": "Seed"}, "attempts": 0}';
    const sms =
      '{"id": "seed4-sms", "type": "cashback_credited", "to": "+919876543212", "data": {"amount": 10}, "attempts": 0}';
    redisCli("RPUSH", "queue:email", email);
    redisCli("RPUSH", "queue:sms", sms);
    await waitFor(() => standIn.deliveriesOf("seed4-email") === 1, { message: "seed 004 email delivered" });
    await waitFor(() => standIn.deliveries.some((d) => d.provider === "msg91" && d.to.endsWith("9876543212")), {
      message: "seed 004 SMS delivered",
    });
    expect(redisCli("LLEN", "queue:email")).toBe("0");
    expect(redisCli("LLEN", "queue:sms")).toBe("0");
  });

  it("delivers SMS jobs, OTPs included, from the engine and from redis-cli", async () => {
    await pushSmsJob(redis, { type: "otp", to: "+919876543210", data: { otp: "482913" } });
    const raw = JSON.stringify({
      id: "cli-sms",
      type: "cashback_credited",
      to: "+919876543211",
      data: { amount: 25 },
      attempts: 0,
    });
    redisCli("RPUSH", queueKeys(SMS_QUEUE).pending, raw);
    // Earlier tests' SMS are in the stand-in's log too: wait for both of these by content.
    const texts = () =>
      standIn.deliveries
        .filter((d) => d.provider === "msg91")
        .map((d) => (d.body as { sms: { message: string }[] }).sms[0]?.message ?? "");
    await waitFor(
      () => texts().some((t) => t.startsWith("482913 is your")) && texts().some((t) => t.includes("Rs.25.00 cashback")),
      { message: "both SMS" },
    );
    expect(texts()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^482913 is your Notify verification code/),
        expect.stringContaining("Rs.25.00 cashback"),
      ]),
    );
  });

  it("after a hard bounce, a new email to that address is not sent", async () => {
    const batchId = "b-bounce";
    await pushEmailEvent(redis, "EMAIL_DELIVERED", { recipient: "x@example.com", timestamp: Date.now(), batchId });
    await pushEmailEvent(redis, "EMAIL_OPENED", { recipient: "x@example.com", timestamp: Date.now(), batchId });
    await pushEmailEvent(redis, "EMAIL_OPENED", { recipient: "x@example.com", timestamp: Date.now(), batchId });
    await pushEmailEvent(redis, "EMAIL_BOUNCED", {
      recipient: "Bounce@Example.com",
      timestamp: Date.now(),
      batchId,
      bounceType: "hard",
      reason: "550 mailbox unavailable",
    });
    await waitFor(() => isSuppressed(redis, "bounce@example.com"), { message: "suppression" });
    await waitFor(async () => (await emailEventStats(redis, batchId)).bounced === 1, { message: "aggregates" });
    expect(await emailEventStats(redis, batchId)).toMatchObject({ delivered: 1, uniqueOpens: 1, opens: 2, bounced: 1 });

    const { id } = await pushEmailJob(redis, { type: "welcome", to: "bounce@example.com", data: { user_name: "B" } });
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    const dead = await waitFor(async () => (await queue.dlq.list()).entries.find((e) => e.id === id), {
      message: "dead letter",
    });
    expect(dead).toMatchObject({ reason: "suppressed" });
    expect(standIn.deliveriesOf(id)).toBe(0);
  });

  it("SIGTERM: in-flight jobs finish or go back, every process exits 0", async () => {
    standIn.latencyMs = 300;
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    const before = (await queue.stats()).processed;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++)
      ids.push(
        (await pushEmailJob(redis, { type: "welcome", to: `late${i}@example.com`, data: { user_name: "L" } })).id,
      );
    await waitFor(() => ids.some((id) => standIn.deliveriesOf(id) > 0), { message: "some in flight" });
    for (const worker of workers) worker.child.kill("SIGTERM");
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
    const stats = await queue.stats();
    expect(stats.active).toBe(0);
    const delivered = ids.filter((id) => standIn.deliveriesOf(id) > 0).length;
    expect(stats.processed - before).toBe(delivered);
    expect({ delivered, pending: stats.pending, delayed: stats.delayed, dead: stats.dead }).toEqual({
      delivered,
      pending: ids.length - delivered,
      delayed: 0,
      dead: 1, // the suppressed email of the test before
    });
    expect(delivered).toBeLessThan(ids.length);
  });
});
