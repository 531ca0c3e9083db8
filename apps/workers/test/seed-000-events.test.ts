// Seed 000's producer, unchanged: `RPUSH email_events <its flat JSON>` from redis-cli, consumed by
// the real events worker process (Bun) against a real Redis and aggregated like the project's own
// events: by type, into the campaign's batch, new users by group; nothing valid dead-lettered.
import { execFileSync } from "node:child_process";
import { createRedis, Queue, type RedisConnection } from "@notify/queue";
import {
  contactByEmail,
  EMAIL_EVENTS_QUEUE,
  emailEventCounts,
  emailEventStats,
  newUserSummary,
  newUsersOf,
} from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, spawnWorker, type WorkerProcess, waitStarted } from "./support/worker-process.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  workers.push(spawnWorker("events", { REDIS_URL: server.url, SHUTDOWN_GRACE_MS: "5000" }));
  await Promise.all(workers.map((w) => waitStarted(w)));
});

afterAll(async () => {
  killAll(workers);
  redis?.disconnect();
  await server?.stop();
});

const redisCli = (...args: string[]) =>
  execFileSync("redis-cli", ["-p", String(server.port), ...args], { encoding: "utf8" }).trim();

describe("seed 000 producer end to end", () => {
  it("consumes RPUSH email_events of the seed's events and aggregates them; an unusable one is dead-lettered with its reason", async () => {
    const campaign = "8f2c1a9e-campaign";
    const events = [
      `{"id":"ev-1","type":"EMAIL_DELIVERED","campaignId":"${campaign}","recipient":"user@example.com","timestamp":1764600000000}`,
      `{"id":"ev-2","type":"EMAIL_OPENED","campaignId":"${campaign}","recipient":"user@example.com","timestamp":1764600001000}`,
      `{"id":"ev-3","type":"EMAIL_CLICKED","campaignId":"${campaign}","recipient":"user@example.com","timestamp":1764600002,"url":"https://example.com"}`,
      `{"id":"ev-4","type":"EMAIL_CLICKED","campaignId":"${campaign}","recipient":"user@example.com","timestamp":1764600003,"url":"https://example.com/join","email":"new@example.com","name":"User Name","group":"newsletter"}`,
      // queueEmailEvent() in the seed's docs: no id, ms timestamp.
      `{"type":"EMAIL_OPENED","campaignId":"${campaign}","recipient":"other@example.com","timestamp":1764600004000}`,
    ];
    for (const event of events) redisCli("RPUSH", "email_events", event);
    redisCli("RPUSH", "email_events", '{"id":"ev-bad","type":"EMAIL_OPENED","campaignId":"c"}');

    const queue = new Queue(EMAIL_EVENTS_QUEUE, { connection: redis });
    await waitFor(
      async () => {
        const stats = await queue.stats();
        return stats.processed === events.length && stats.dead === 1;
      },
      { timeoutMs: 15_000, message: "seed events processed" },
    );
    expect(redisCli("LLEN", "email_events")).toBe("0");
    expect(await emailEventStats(redis, campaign)).toMatchObject({
      delivered: 1,
      opens: 2,
      uniqueOpens: 2,
      clicked: 2,
    });
    expect(await emailEventCounts(redis)).toMatchObject({ EMAIL_DELIVERED: 1, EMAIL_OPENED: 2, EMAIL_CLICKED: 2 });
    expect(await newUsersOf(redis, "newsletter")).toMatchObject([
      { email: "new@example.com", name: "User Name", group: "newsletter", campaignId: campaign },
    ]);
    expect((await newUserSummary(redis)).groups).toEqual({ newsletter: 1 });
    // The new user is a contact of that group in the contact store.
    expect(await contactByEmail(redis, "new@example.com")).toMatchObject({
      name: "User Name",
      groups: ["newsletter"],
    });
    const { entries } = await queue.dlq.list();
    expect(entries.map((entry) => [entry.id, entry.reason])).toEqual([["ev-bad", "invalid"]]);
    expect(entries[0]?.error).toMatch(/recipient/);
  });
});
