// The events handler against a real Redis: aggregates count each event once, and only hard
// bounces, spam reports and unsubscribes suppress an address; every kind of event reaches the
// timeline of the message it names.
import type { Job } from "@notify/queue";
import type { EmailEventType } from "@notify/queue/notifications";
import { emailEventStats, getMessage, isSuppressed, recordAttempt } from "@notify/queue/notifications";
import { describe, expect, it } from "vitest";
import { createEventsHandler, suppressionFor } from "../src/events-handler.ts";
import { useRedis } from "./support/redis.ts";
import { silentLogger } from "./support/silent-logger.ts";

const t = useRedis();

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
    // The unsubscribe page stops one category; the address still gets the others.
    expect(suppressionFor("EMAIL_UNSUBSCRIBED", undefined, "marketing")).toBeNull();
    expect(suppressionFor("EMAIL_DROPPED")).toBeNull();
    expect(suppressionFor("EMAIL_OPENED")).toBeNull();
  });

  it("counts each event once, opens uniquely per recipient, and suppresses as it should", async () => {
    const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
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

    expect(await emailEventStats(t.redis, batchId)).toMatchObject({
      delivered: 2,
      opens: 2,
      uniqueOpens: 1,
      clicked: 1,
      bounced: 1,
      unsubscribed: 1,
    });
    expect(await isSuppressed(t.redis, "soft@example.com")).toBeNull();
    expect(await isSuppressed(t.redis, "spam@example.com")).toMatchObject({ reason: "spam_report" });
    expect(await isSuppressed(t.redis, "UNSUB@example.com")).toMatchObject({ reason: "unsubscribe" });
  });

  it("dead-letters an event that does not fit the schema", async () => {
    const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
    await expect(handle(event("bad", "EMAIL_OPENED", { recipient: "" }), ctx)).rejects.toThrow(/invalid email event/);
  });

  it("puts a drop, a spam report and a provider's unsubscribe on the timeline of the message they name", async () => {
    const job: Job = { id: "logged-1", type: "welcome", to: "late@example.com", data: {}, attempts: 0 };
    const at = Date.now();
    const attempt = { startedAt: at, endedAt: at, outcome: "sent" as const, provider: "sendgrid" };
    await recordAttempt(t.redis, { job, queue: "email", channel: "email", attempt });
    const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
    const about = { recipient: "late@example.com", jobId: job.id };
    await handle(event("l1", "EMAIL_DROPPED", { ...about, reason: "Bounced Address" }), ctx);
    await handle(event("l2", "EMAIL_SPAM_REPORT", about), ctx);
    await handle(event("l3", "EMAIL_UNSUBSCRIBED", about), ctx);
    const message = await getMessage(t.redis, job.id);
    expect(message?.events.map((e) => e.type)).toEqual(["attempt", "dropped", "spam_report", "unsubscribed"]);
    expect(message?.events[1]).toMatchObject({ reason: "Bounced Address" });
    // Equally final statuses: the latest one shows.
    expect(message?.status).toBe("unsubscribed");
  });
});
