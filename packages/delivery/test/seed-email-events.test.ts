// Seed 000's flat email events ({id, type, campaignId, recipient, timestamp, url} and {email,
// name, group} for a new user), parsed as the engine hands them over and run through the events
// handler against a real Redis: counted by type and in the campaign's batch, each once, new users
// kept by group, and only a truly unusable event refused (with its reason).
import { PermanentError, parseRawJob } from "@notify/queue";
import {
  emailEventCounts,
  emailEventStats,
  newUserSummary,
  newUsersOf,
  parseSeedEmailEvent,
} from "@notify/queue/notifications";
import { beforeEach, describe, expect, it } from "vitest";
import { createEventsHandler } from "../src/events-handler.ts";
import { useRedis } from "./support/redis.ts";
import { silentLogger } from "./support/silent-logger.ts";

const t = useRedis();
beforeEach(async () => {
  await t.redis.flushall();
});

const ctx = { workerId: "w", attempt: 1, signal: new AbortController().signal };

/** The job exactly as a worker gets it from the seed's JSON text. */
function jobOf(raw: string) {
  const parsed = parseRawJob(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.job;
}

describe("seed 000 email events", () => {
  it("maps the seed's fields: campaignId is the batch, seconds and ms timestamps, url kept", () => {
    const clicked = parseSeedEmailEvent(
      jobOf(
        '{"id":"2b1f","type":"EMAIL_CLICKED","campaignId":"c-1","recipient":"u@example.com","timestamp":1234567890,"url":"https://example.com"}',
      ),
    );
    expect(clicked).toEqual({
      ok: true,
      event: {
        type: "EMAIL_CLICKED",
        data: { recipient: "u@example.com", timestamp: 1_234_567_890_000, batchId: "c-1", url: "https://example.com" },
      },
    });
    const opened = parseSeedEmailEvent(
      jobOf('{"type":"EMAIL_OPENED","campaignId":"c-1","recipient":"u@example.com","timestamp":1764600000123}'),
    );
    expect(opened.ok && opened.event.data.timestamp).toBe(1_764_600_000_123);
  });

  it("counts each seed event once, by type and in its campaign's batch, and keeps new users by group", async () => {
    const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
    const raws = [
      '{"id":"e1","type":"EMAIL_DELIVERED","campaignId":"camp-1","recipient":"a@example.com","timestamp":1764600000000}',
      '{"id":"e2","type":"EMAIL_DELIVERED","campaignId":"camp-1","recipient":"b@example.com","timestamp":1764600000000}',
      '{"id":"e3","type":"EMAIL_OPENED","campaignId":"camp-1","recipient":"a@example.com","timestamp":1764600001}',
      '{"id":"e4","type":"EMAIL_OPENED","campaignId":"camp-1","recipient":"A@example.com","timestamp":1764600002}',
      '{"id":"e5","type":"EMAIL_CLICKED","campaignId":"camp-1","recipient":"a@example.com","timestamp":1764600003,"url":"https://example.com"}',
      // A new user: the seed's {email, name, group}, here without a recipient.
      '{"id":"e6","type":"EMAIL_CLICKED","campaignId":"camp-1","timestamp":1764600004,"url":"https://example.com/join","email":"New@Example.com","name":"New User","group":"newsletter"}',
      // No campaign: counted by type only.
      '{"id":"e7","type":"EMAIL_OPENED","recipient":"c@example.com","timestamp":1764600005}',
    ];
    for (const raw of raws) await handle(jobOf(raw), ctx);
    // A re-run after a crash (same ids) changes nothing.
    for (const raw of raws) await handle(jobOf(raw), ctx);

    expect(await emailEventStats(t.redis, "camp-1")).toMatchObject({
      delivered: 2,
      opens: 2,
      uniqueOpens: 1,
      clicked: 2,
    });
    expect(await emailEventCounts(t.redis)).toMatchObject({ EMAIL_DELIVERED: 2, EMAIL_OPENED: 3, EMAIL_CLICKED: 2 });
    expect(await newUsersOf(t.redis, "newsletter")).toEqual([
      { email: "new@example.com", name: "New User", group: "newsletter", campaignId: "camp-1", at: 1_764_600_004_000 },
    ]);
    expect(await newUserSummary(t.redis)).toMatchObject({
      groups: { newsletter: 1 },
      added: 1,
      updated: 1,
      overflow: 0,
    });
  });

  it("refuses only an event it cannot use, naming the field", async () => {
    const handle = createEventsHandler({ redis: t.redis, logger: silentLogger });
    const refused = async (raw: string) => {
      const error = await handle(jobOf(raw), ctx).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PermanentError);
      return (error as Error).message;
    };
    expect(await refused('{"type":"EMAIL_OPENED","campaignId":"c","timestamp":1}')).toMatch(/recipient/);
    expect(await refused('{"type":"EMAIL_TELEPORTED","campaignId":"c","recipient":"a@example.com"}')).toMatch(/type/);
    expect(await refused('{"type":"EMAIL_OPENED","recipient":"a@example.com","timestamp":"yesterday"}')).toMatch(
      /timestamp/,
    );
    // Hostile sizes are refused by field, never stored.
    expect(
      await refused(`{"type":"EMAIL_CLICKED","email":"n@example.com","group":"${"g".repeat(101)}","timestamp":1}`),
    ).toMatch(/group/);
    expect(await refused(`{"type":"EMAIL_OPENED","recipient":"${"a".repeat(400)}@example.com"}`)).toMatch(/recipient/);
    expect(await emailEventCounts(t.redis)).toMatchObject({ EMAIL_OPENED: 0, EMAIL_CLICKED: 0 });
    expect((await newUserSummary(t.redis)).added).toBe(0);
  });
});
