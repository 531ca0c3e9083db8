// Which tracking hits count: the first open and the first click of a message, once, whether it
// belongs to a batch (one seen set per batch) or not (one set per UTC day, yesterday's consulted).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { emailKeys } from "../src/notifications/keys.ts";
import { recordTrackingHit } from "../src/notifications/tracking-hits.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();
const DAY = 86_400_000;
const id = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;

describe("recordTrackingHit", () => {
  it("counts a message's first open and first click, each once", async () => {
    const jobId = id("job");
    const now = 400 * DAY + 1_000;
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId }, now)).toBe(true);
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId }, now)).toBe(false);
    expect(await recordTrackingHit(t.redis, { kind: "click", jobId }, now)).toBe(true);
    expect(await recordTrackingHit(t.redis, { kind: "click", jobId }, now)).toBe(false);
    const today = emailKeys().trackedOnDay(400);
    expect(await t.redis.sismember(today, `o:${jobId}`)).toBe(1);
    // Two days: a repeat is recognised across midnight, and the set cannot outlive that.
    const ttl = await t.redis.ttl(today);
    expect(ttl).toBeGreaterThan(86_400);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400);
  });

  it("takes yesterday's first hit as the first: a repeat after midnight counts nothing", async () => {
    const jobId = id("midnight");
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId }, 500 * DAY - 1)).toBe(true);
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId }, 500 * DAY)).toBe(false);
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId }, 500 * DAY + 1)).toBe(false);
    // The second day's set still has a TTL, though nothing in it counted.
    expect(await t.redis.ttl(emailKeys().trackedOnDay(500))).toBeGreaterThan(0);
  });

  it("keeps a batch's hits in the batch's own set, for the batch's lifetime", async () => {
    const jobId = id("batched");
    const batchId = id("batch");
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId, batchId })).toBe(true);
    expect(await recordTrackingHit(t.redis, { kind: "open", jobId, batchId })).toBe(false);
    const seen = emailKeys().trackedInBatch(batchId);
    expect(await t.redis.smembers(seen)).toEqual([`o:${jobId}`]);
    const ttl = await t.redis.ttl(seen);
    expect(ttl).toBeGreaterThan(6 * 86_400);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400);
    // Not in the day sets: a batch's message is judged by its batch only.
    const today = emailKeys().trackedOnDay(Math.floor(Date.now() / DAY));
    expect(await t.redis.sismember(today, `o:${jobId}`)).toBe(0);
  });

  it("counts one first hit among many concurrent ones", async () => {
    const jobId = id("race");
    const hits = await Promise.all(
      Array.from({ length: 50 }, () => recordTrackingHit(t.redis, { kind: "open", jobId }, 600 * DAY)),
    );
    expect(hits.filter(Boolean)).toHaveLength(1);
  });
});
