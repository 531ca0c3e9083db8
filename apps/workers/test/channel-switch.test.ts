// Seed 004's EMAIL_ENABLED=false on the real email worker process: it stays up (a Procfile runner
// keeps the other processes), says why at start, holds no lease and claims nothing, so the jobs
// wait in the queue; SIGTERM still ends it with exit code 0.
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import { EMAIL_QUEUE, pushEmailJob } from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
});

afterAll(async () => {
  killAll(workers);
  redis?.disconnect();
  await server?.stop();
});

describe("EMAIL_ENABLED=false", () => {
  it("keeps the email worker up without claiming anything; jobs wait", async () => {
    await pushEmailJob(redis, { type: "welcome", to: "wait@example.com", data: {} });
    const worker = spawnWorker("email", { REDIS_URL: server.url, EMAIL_ENABLED: "false" });
    workers.push(worker);
    await waitFor(() => worker.lines.some((l) => String(l.msg).startsWith("EMAIL_ENABLED=false")), {
      timeoutMs: 20_000,
      message: "switched-off notice",
    });
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    // The notice comes where the worker would otherwise start: it never registers a lease.
    expect(await queue.workers()).toEqual([]);
    expect((await queue.stats()).pending).toBe(1);
    expect(worker.lines.some((l) => l.msg === "worker started")).toBe(false);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});
