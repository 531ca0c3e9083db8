// The events handler against a real Redis: aggregates count each event once, and only hard
// bounces, spam reports and unsubscribes suppress an address.
import { createRedis, type Job, type RedisConnection } from "@notify/queue";
import type { EmailEventType } from "@notify/queue/notifications";
import { emailEventStats, isSuppressed } from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventsHandler, suppressionFor } from "../src/events-handler.ts";
import { createLogger } from "../src/logger.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const ctx = { workerId: "w", attempt: 1, signal: new AbortController().signal };
const event = (id: string, type: EmailEventType, data: Record<string, unknown>): Job => ({
  id,
  type,
  attempts: 0,
  data: { timestamp: Date.now(), ...data },
});

describe("email events", () => {
  it("maps event types to suppression reasons", () => {
    expect(suppressionFor("EMAIL_BOUNCED")).toBe("hard_bounce");
    expect(suppressionFor("EMAIL_BOUNCED", "soft")).toBeNull();
    expect(suppressionFor("EMAIL_SPAM_REPORT")).toBe("spam_report");
    expect(suppressionFor("EMAIL_UNSUBSCRIBED")).toBe("unsubscribe");
    expect(suppressionFor("EMAIL_DROPPED")).toBeNull();
    expect(suppressionFor("EMAIL_OPENED")).toBeNull();
  });

  it("counts each event once, opens uniquely per recipient, and suppresses as it should", async () => {
    const handle = createEventsHandler({ redis, logger: createLogger({ level: "silent", component: "events" }) });
    const batchId = "b-unit";
    const jobs = [
      event("e1", "EMAIL_DELIVERED", { recipient: "a@example.com", batchId }),
      event("e2", "EMAIL_DELIVERED", { recipient: "b@example.com", batchId }),
      event("e3", "EMAIL_OPENED", { recipient: "a@example.com", batchId }),
      event("e4", "EMAIL_OPENED", { recipient: "A@example.com", batchId }),
      event("e5", "EMAIL_CLICKED", { recipient: "a@example.com", batchId, url: "https://app.example.com/" }),
      event("e6", "EMAIL_BOUNCED", { recipient: "soft@example.com", batchId, bounceType: "soft" }),
      event("e7", "EMAIL_SPAM_REPORT", { recipient: "spam@example.com" }),
      event("e8", "EMAIL_UNSUBSCRIBED", { recipient: "unsub@example.com", batchId }),
    ];
    for (const job of jobs) await handle(job, ctx);
    // A re-run after a crash (same event ids) changes nothing.
    for (const job of jobs) await handle(job, ctx);

    expect(await emailEventStats(redis, batchId)).toMatchObject({
      delivered: 2,
      opens: 2,
      uniqueOpens: 1,
      clicked: 1,
      bounced: 1,
      unsubscribed: 1,
    });
    expect(await isSuppressed(redis, "soft@example.com")).toBeNull();
    expect(await isSuppressed(redis, "spam@example.com")).toMatchObject({ reason: "spam_report" });
    expect(await isSuppressed(redis, "UNSUB@example.com")).toMatchObject({ reason: "unsubscribe" });
  });

  it("dead-letters an event that does not fit the schema", async () => {
    const handle = createEventsHandler({ redis, logger: createLogger({ level: "silent", component: "events" }) });
    await expect(handle(event("bad", "EMAIL_OPENED", { recipient: "" }), ctx)).rejects.toThrow(/invalid email event/);
  });
});
