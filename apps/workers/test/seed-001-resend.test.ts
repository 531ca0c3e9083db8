// Seed 001's settings, unchanged: QUEUE_REDIS_URL (no REDIS_URL) and RESEND_API_KEY. A real Bun
// email worker finds Redis through QUEUE_REDIS_URL and sends through the official `resend` client
// to the local Resend stand-in; a 429 with Retry-After is retried and then delivered.
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import { EMAIL_QUEUE, pushEmailJob } from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const standIn = new ProviderStandIn({ resendApiKey: "re_seed001" });
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await standIn.start();
  workers.push(
    spawnWorker("email", {
      QUEUE_REDIS_URL: server.url,
      RESEND_API_KEY: "re_seed001",
      RESEND_BASE_URL: standIn.url,
      RETRY_BASE_MS: "100",
      SHUTDOWN_GRACE_MS: "5000",
    }),
  );
  await Promise.all(workers.map((w) => waitStarted(w)));
});

afterAll(async () => {
  killAll(workers);
  redis?.disconnect();
  await standIn.stop();
  await server?.stop();
});

describe("seed 001 settings end to end", () => {
  it("delivers through Resend with Redis from QUEUE_REDIS_URL, retrying a 429", async () => {
    expect(workers[0]?.lines.find((l) => l.msg === "worker started")).toMatchObject({ provider: "resend" });
    standIn.script("resend", { kind: "status", status: 429, retryAfterSeconds: 0 });
    const { id } = await pushEmailJob(redis, { type: "welcome", to: "seed1@example.com", data: { user_name: "Seed" } });
    await waitFor(() => standIn.deliveriesOf(id) === 1, { timeoutMs: 15_000, message: "delivered through Resend" });
    expect(standIn.stats().requests).toBe(2);
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    await waitFor(async () => (await queue.stats()).processed === 1, { message: "acked" });
  });
});
