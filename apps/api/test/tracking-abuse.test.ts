// #10 finding 8: tracking tokens expire and hide the recipient; an open or a click counts once per
// message however often it is replayed; hits are rate-limited per client IP in bounded memory;
// and no flood of requests, genuine or forged, creates Redis keys beyond one set per batch.
import { createHmac } from "node:crypto";
import { drain, Queue } from "@notify/queue";
import { recordEmailEvent, signTrackingToken, type TrackingPayload } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { HitLimiter } from "../src/lib/hit-limiter.ts";
import { type Harness, startHarness, TRACKING_SECRET } from "./support/harness.ts";

const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  // Replays come from one address here; the per-IP limit has its own harness below.
  h = await startHarness({ config: { trackingRateLimit: 0 } });
});
afterAll(async () => {
  await h?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${h.app.url}${path}`, { redirect: "manual", headers });

function token(payload: Partial<TrackingPayload> & Pick<TrackingPayload, "k">, options?: { ttlMs?: number }): string {
  return signTrackingToken({ j: "job-a", r: "ann@example.com", t: Date.now(), ...payload }, TRACKING_SECRET, options);
}

/** The first token format (base64url JSON + HMAC), as mail sent before this change carries. */
function legacyToken(payload: TrackingPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${createHmac("sha256", TRACKING_SECRET).update(body).digest("base64url")}`;
}

describe("tokens", () => {
  it("do not carry the recipient's address in readable form", () => {
    const sealed = token({ k: "o", b: "batch-x" });
    expect(sealed).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
    const decoded = Buffer.from(sealed.slice(3), "base64url").toString("latin1");
    expect(decoded).not.toContain("ann@example.com");
    expect(decoded).not.toContain("job-a");
    expect(decoded).not.toContain('"r"');
    // The same message gets a different token each time: nothing to correlate across mails.
    expect(token({ k: "o", b: "batch-x" })).not.toBe(sealed);
  });

  it("expire: past their own expiry, or older than TRACKING_TOKEN_TTL_DAYS, they are refused", async () => {
    expect((await get(`/t/o/${token({ k: "o", j: "fresh" })}`)).status).toBe(200);
    expect((await get(`/t/o/${token({ k: "o", t: Date.now() - 2_000 }, { ttlMs: 1_000 })}`)).status).toBe(400);
    const old = token({ k: "c", u: "https://shop.example.com/", t: Date.now() - 91 * DAY }, { ttlMs: 365 * DAY });
    const response = await get(`/t/c/${old}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();

    const strict = await startHarness({ config: { trackingTokenTtlMs: 60_000 } });
    try {
      const twoMinutes = token({ k: "o", t: Date.now() - 120_000 });
      expect((await fetch(`${strict.app.url}/t/o/${twoMinutes}`)).status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it("of the first format are still honoured within the maximum age, and refused past it", async () => {
    const open: TrackingPayload = { k: "o", j: "legacy", r: "old@example.com", t: Date.now() - DAY };
    expect((await get(`/t/o/${legacyToken(open)}`)).status).toBe(200);
    expect((await get(`/t/o/${legacyToken({ ...open, t: Date.now() - 91 * DAY })}`)).status).toBe(400);
  });
});

/** What the email-events worker does with each event (its marker and the batch counters), run by the engine's drain. */
async function recordEvents(): Promise<void> {
  await drain("email_events", (job) => recordEmailEvent(h.redis, job as never, job.id).then(() => {}), {
    connection: h.redis,
    limit: 5_000,
  });
}

describe("replays", () => {
  it("300 hits on one click link count one click on a one-recipient batch", async () => {
    const batch = await h.service.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "R" },
      recipients: [{ to: "ann@example.com" }],
    });
    const events = new Queue("email_events", { connection: h.redis });
    await events.clear();
    const link = `/t/c/${token({ k: "c", j: "job-r", b: batch.batchId, u: "https://shop.example.com/sale" })}`;
    const pixel = `/t/o/${token({ k: "o", j: "job-r", b: batch.batchId })}`;
    for (let i = 0; i < 30; i++) {
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, () => get(link)),
        ...Array.from({ length: 5 }, () => get(pixel)),
      ]);
      expect(answers.every((a) => a.status === 302 || a.status === 200)).toBe(true);
    }
    await h.handler.settle();

    // The email-events worker's own recording, run by the engine's drain.
    expect((await events.stats()).pending).toBe(2);
    await recordEvents();
    const progress = await h.service.batches.get.query({ batchId: batch.batchId });
    expect(progress).toMatchObject({ clicked: 1, opened: 1 });
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toMatch(/notify_tracking_requests_total\{kind="click",outcome="repeat"\} 299/);
  });

  it("count once across API instances, for mail outside a batch too", async () => {
    // A second instance on the same Redis: each keeps its own memory, so only Redis can tell.
    const second = createApp({ redis: h.redis, config: h.config });
    const events = new Queue("email_events", { connection: h.redis });
    await events.clear();
    const pixel = `/t/o/${token({ k: "o", j: "job-solo" })}`;
    for (let i = 0; i < 20; i++) {
      const answer = i % 2 === 0 ? await get(pixel) : await second(new Request(`http://api${pixel}`));
      expect(answer.status).toBe(200);
    }
    await Promise.all([h.handler.settle(), second.settle()]);
    expect((await events.stats()).pending).toBe(1);
  });

  it("3,000 pixel hits, genuine or forged, create only the one message's keys", async () => {
    await recordEvents(); // what earlier tests queued is not this flood's
    const before = new Set([...(await h.redis.keys("*")), "queue:registry"]);
    const genuine = `/t/o/${token({ k: "o", j: "job-flood", b: "batch-flood" })}`;
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          get(i % 2 === 0 ? genuine : `/t/o/${token({ k: "o", j: `forged-${round}-${i}` }).slice(0, -4)}AAAA`),
        ),
      );
    }
    await h.handler.settle();
    await recordEvents();
    // One message's worth: the batch record, its opens and seen sets, the events worker's marker
    // for the one event (before this fix: one marker per hit, 1,500 of them), and the one
    // counter of events by type that every event shares. The events queue's own bookkeeping
    // (stats, minute buckets) is bounded by time, not requests.
    const added = (await h.redis.keys("*")).filter((key) => !before.has(key) && !key.includes("{email_events}"));
    // The events worker marks each event it counts (2-day TTL): the flood queued one, the open.
    expect(
      added.filter((key) => key.includes(":idem:event:")),
      added.join("\n"),
    ).toHaveLength(1);
    expect(added.length, added.join("\n")).toBeLessThanOrEqual(5);
  });
});

describe("the per-IP limit", () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ config: { trackingRateLimit: 60, trustProxy: true } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it("answers 429 with Retry-After past the limit, for that client only", async () => {
    const hit = (ip: string) =>
      fetch(`${limited.app.url}/t/o/${token({ k: "o", j: `ip-${ip}` })}`, { headers: { "x-forwarded-for": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push((await hit("203.0.113.7")).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(60);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(65);
    const refused = await hit("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await hit("198.51.100.9")).status).toBe(200);
  });

  it("keeps a bounded number of clients in memory", () => {
    const limiter = new HitLimiter(10);
    for (let i = 0; i < 25_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(10_000);
  });
});
