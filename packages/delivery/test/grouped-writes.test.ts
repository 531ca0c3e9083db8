// What the email worker now does once per group of jobs instead of once per job: the message log
// written for many attempts in one script call must leave exactly what one call per attempt
// leaves, and the suppression / unsubscribe lookups of a turn, one HMGET each, must answer every
// recipient on its own.
import type { Job } from "@notify/queue";
import {
  getMessage,
  messageKeys,
  type RecordAttemptInput,
  recordAttempt,
  recordAttempts,
  searchMessages,
  suppress,
  unsubscribe,
} from "@notify/queue/notifications";
import { describe, expect, it } from "vitest";
import { createStandingLookup } from "../src/recipient-standing.ts";
import { useRedis } from "./support/redis.ts";

const t = useRedis();
// Recent enough that the log's retention prune leaves them.
const created = Date.now();

const attemptOf = (id: string, to: string, batchId: string, sent: boolean): RecordAttemptInput => ({
  job: { id, type: "welcome", to, data: {}, attempts: sent ? 0 : 1, batchId, createdAt: created } satisfies Job,
  queue: "email",
  channel: "email",
  attempt: sent
    ? {
        startedAt: created + 5,
        endedAt: created + 55,
        outcome: "sent",
        provider: "sendgrid",
        providerMessageId: `pm-${id}`,
      }
    : { startedAt: created + 5, endedAt: created + 55, outcome: "retry", error: "503 try later \ud800" },
});

/** Everything the log holds for `ids`, with the ids taken out so two runs compare. */
async function stored(prefix: string, ids: string[]) {
  const keys = messageKeys();
  return Promise.all(
    ids.map(async (id) => {
      const message = await getMessage(t.redis, id);
      const ttl = await t.redis.ttl(keys.message(id));
      return JSON.parse(JSON.stringify({ message, ttl }).replaceAll(id, "ID").replaceAll(prefix, "P"));
    }),
  );
}

describe("grouped writes", () => {
  it("many attempts in one call leave what one call each leaves: summaries, timelines, indexes", async () => {
    const inputs = (prefix: string) =>
      Array.from({ length: 7 }, (_, i) => attemptOf(`${prefix}-${i}`, `r${i}@example.com`, `${prefix}-batch`, i !== 3));
    const one = inputs("one");
    for (const input of one) await recordAttempt(t.redis, input);
    const grouped = inputs("grp");
    const summaries = await recordAttempts(t.redis, grouped);

    expect(summaries.map((s) => [s.id, s.status])).toEqual(
      grouped.map((g, i) => [g.job.id, i === 3 ? "retrying" : "sent"]),
    );
    const ids = (prefix: string) => Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`);
    expect(await stored("grp", ids("grp"))).toEqual(await stored("one", ids("one")));
    // The shared batch index holds every message of the group, each recipient's index its own.
    const batch = await searchMessages(t.redis, { batchId: "grp-batch" });
    expect(batch.total).toBe(7);
    expect((await searchMessages(t.redis, { to: "r3@example.com" })).total).toBe(2);
    expect(await t.redis.zscore(messageKeys().all, "grp-6")).toBe(String(created));
  });

  it("one lookup a turn answers each recipient alone: suppressed, unsubscribed, transactional, clear", async () => {
    await suppress(t.redis, "Bounced@Example.com", "hard_bounce");
    await unsubscribe(t.redis, "left@example.com", "newsletter");
    const before = Number(/cmdstat_hmget:calls=(\d+)/.exec(await t.redis.info("commandstats"))?.[1] ?? 0);
    const standing = createStandingLookup(t.redis);
    const answers = await Promise.all([
      standing("bounced@example.com", "newsletter"),
      standing("LEFT@example.com", "newsletter"),
      standing("left@example.com", "transactional"),
      standing("left@example.com", "offers"),
      standing("clear@example.com", "newsletter"),
    ]);
    expect(answers.map((a) => [a.suppressed?.reason ?? null, a.unsubscribed])).toEqual([
      ["hard_bounce", false],
      [null, true],
      [null, false],
      [null, false],
      [null, false],
    ]);
    // One HMGET of the suppression list and one of the preferences for the five.
    const after = Number(/cmdstat_hmget:calls=(\d+)/.exec(await t.redis.info("commandstats"))?.[1] ?? 0);
    expect(after - before).toBe(2);
  });
});
