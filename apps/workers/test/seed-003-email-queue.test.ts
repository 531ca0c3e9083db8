// Seed 003's Go producer, unchanged: `LPUSH email_queue` of its EmailJob
// {"client_id","contact_ids":[...],"template_id","batch_id"} from redis-cli, consumed by the real
// email worker process (Bun) against a real Redis and SendGrid's official client pointed at the
// local stand-in. Each job becomes one email per contact of the contact store; an unknown contact
// fails alone and is listed in the progress of the producer's batch_id; jobs go oldest first.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { batchItemFailures, createRedis, Queue, queueKeys, type RedisConnection } from "@notify/queue";
import { EMAIL_QUEUE, upsertContact } from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.seed3", latencyMs: 1 });
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await standIn.start();
  // REDIS_ADDR=host:port, as seed 003's .env has it, and no REDIS_URL.
  workers.push(
    spawnWorker("email", {
      REDIS_ADDR: `127.0.0.1:${server.port}`,
      SENDGRID_API_KEY: "SG.seed3",
      SENDGRID_BASE_URL: standIn.url,
      EMAIL_CONCURRENCY: "1",
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

const redisCli = (...args: string[]) =>
  execFileSync("redis-cli", ["-p", String(server.port), ...args], { encoding: "utf8" }).trim();

const sentTo = () => standIn.deliveries.filter((d) => d.provider === "sendgrid").map((d) => d.to);

describe("seed 003 producer end to end", () => {
  it("expands LPUSH email_queue into one email per contact, oldest job first; an unknown contact fails alone", async () => {
    await upsertContact(redis, { id: "contact-1", email: "ann@example.com", name: "Ann", locale: "en-IN" });
    await upsertContact(redis, { id: "contact-2", email: "bob@example.com", name: "Bob", timeZone: "Asia/Kolkata" });
    await upsertContact(redis, { id: "contact-3", email: "cy@example.com" });
    const first = randomUUID();
    const second = randomUUID();
    // Exactly what json.Marshal(EmailJob) writes.
    const job = (batch: string, ids: string[], template: string) =>
      JSON.stringify({ client_id: "client-123", contact_ids: ids, template_id: template, batch_id: batch });
    // Paused until both are queued, so the order they run in is the worker's choice, not timing.
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    await queue.pause("test: queue both jobs first");
    redisCli("LPUSH", "email_queue", job(first, ["contact-1", "contact-2", "nobody"], "welcome-email"));
    redisCli("LPUSH", "email_queue", job(second, ["contact-3"], "welcome"));
    await waitFor(() => redisCli("LLEN", "email_queue") === "0", { message: "moved out of email_queue" });
    await queue.resume();

    await waitFor(() => sentTo().length === 3, { timeoutMs: 20_000, message: "three emails sent" });
    // The oldest job (the first LPUSH) was expanded, and its mail sent, before the second's.
    expect(sentTo()).toEqual(["ann@example.com", "bob@example.com", "cy@example.com"]);

    const progress = await waitFor(
      async () => {
        const batch = await queue.batch(first);
        return batch && batch.done + batch.failed === batch.total ? batch : null;
      },
      { message: "first batch settled" },
    );
    expect(progress).toMatchObject({ total: 3, done: 2, failed: 1, pending: 0 });
    expect(await batchItemFailures(redis, queueKeys(EMAIL_QUEUE), first)).toEqual({
      total: 1,
      failures: [{ item: "nobody", reason: "unknown contact" }],
    });
    expect(await queue.batch(second)).toMatchObject({ total: 1 });
    // Nothing was dead-lettered for its shape.
    expect((await queue.dlq.list()).total).toBe(0);
    // The worker logs each job it receives at info level.
    expect(workers[0]?.lines.filter((l) => l.msg === "job received" && l.type === "email_job")).toHaveLength(2);
  });

  it("dead-letters an EmailJob whose template_id names no template, with the reason", async () => {
    const batch = randomUUID();
    redisCli(
      "LPUSH",
      "email_queue",
      JSON.stringify({ client_id: "c", contact_ids: ["contact-1"], template_id: "no-such", batch_id: batch }),
    );
    const queue = new Queue(EMAIL_QUEUE, { connection: redis });
    const dead = await waitFor(async () => (await queue.dlq.list()).entries[0] ?? null, { message: "dead letter" });
    expect(dead.error).toMatch(/unknown template_id "no-such"/);
    expect(dead.reason).toBe("invalid");
  });
});
