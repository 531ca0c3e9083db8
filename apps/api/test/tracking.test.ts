// Open pixel and click redirect over HTTP: genuine tokens queue events, anything else gets 400 and
// never a redirect.
import { Queue, queueKeys } from "@notify/queue";
import { signTrackingToken, type TrackingPayload } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness, TRACKING_SECRET, testRedis } from "./support/harness.ts";

let h: Harness;
let events: Queue;
beforeAll(async () => {
  h = await startHarness();
  events = new Queue("email_events", { connection: h.redis });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await events.clear();
});

const open: TrackingPayload = { k: "o", j: "job-1", r: "ann@example.com", b: "batch-9", t: Date.now() };
const click: TrackingPayload = {
  k: "c",
  j: "job-1",
  r: "ann@example.com",
  u: "https://shop.example.com/sale?x=1",
  t: Date.now(),
};

const get = (path: string) => fetch(`${h.app.url}${path}`, { redirect: "manual" });

async function queuedEvents() {
  return (await events.peek(10)).map((found) => found.job);
}

/** The response does not wait for the event; the event follows within moments. */
function nextEvent() {
  return waitFor(async () => (await queuedEvents())[0], { message: "the tracking event in email_events" });
}

describe("GET /t/o/:token", () => {
  it("answers a 1x1 GIF and queues EMAIL_OPENED", async () => {
    const response = await get(`/t/o/${signTrackingToken(open, TRACKING_SECRET)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/gif");
    expect(response.headers.get("cache-control")).toContain("no-store");
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    expect(body.readUInt16LE(6)).toBe(1);
    expect(body.readUInt16LE(8)).toBe(1);
    expect(await nextEvent()).toMatchObject({
      type: "EMAIL_OPENED",
      data: { recipient: "ann@example.com", jobId: "job-1", batchId: "batch-9" },
    });
  });
});

describe("GET /t/c/:token", () => {
  it("redirects to the signed URL and queues EMAIL_CLICKED", async () => {
    const response = await get(`/t/c/${signTrackingToken(click, TRACKING_SECRET)}`);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(click.u);
    expect(await nextEvent()).toMatchObject({ type: "EMAIL_CLICKED", data: { url: click.u, jobId: "job-1" } });
  });
});

describe("events the response did not wait for", () => {
  it("are stored before settle() resolves, even when Redis is slow to take them", async () => {
    // Read on a connection of its own: on the app's, the read would queue behind the held writes.
    const observer = testRedis(h.redisServer.url);
    try {
      await observer.ping();
      // Redis holds writes for a moment (under the 1 s bound): the readers get their pixels while
      // the events are still in flight.
      const pausedAt = Date.now();
      await observer.call("CLIENT", "PAUSE", "700", "WRITE");
      // Twenty messages: one message's repeated opens would count once (tracking-abuse.test.ts).
      const tokens = Array.from({ length: 20 }, (_, i) =>
        signTrackingToken({ ...open, j: `held-${i}` }, TRACKING_SECRET),
      );
      const responses = await Promise.all(tokens.map((token) => get(`/t/o/${token}`)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      // Only while the pause still holds does an empty list prove the pixels did not wait (a loaded
      // machine can take longer than the pause to answer twenty requests).
      if (Date.now() - pausedAt < 600) expect(await observer.llen(queueKeys("email_events").pending)).toBe(0);
      await h.handler.settle();
      expect(await observer.llen(queueKeys("email_events").pending)).toBe(20);
    } finally {
      observer.disconnect();
    }
  });
});

describe("tampered, unsigned and misused tokens", () => {
  const genuine = signTrackingToken(click, TRACKING_SECRET);
  const [, signature] = genuine.split(".");
  const forgedBody = Buffer.from(JSON.stringify({ ...click, u: "https://evil.example.net/" })).toString("base64url");
  // Change one character in the middle of the signature (every bit there is significant).
  const at = genuine.length - 20;
  const flipped = `${genuine.slice(0, at)}${genuine[at] === "A" ? "B" : "A"}${genuine.slice(at + 1)}`;
  // The same signature bytes spelled differently: the last character's low bits are padding.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const respelled = `${genuine.slice(0, -1)}${alphabet[alphabet.indexOf(genuine.at(-1) ?? "A") ^ 1]}`;

  it.each([
    ["a different URL under the original signature", `/t/c/${forgedBody}.${signature}`],
    ["a flipped signature character", `/t/c/${flipped}`],
    ["a non-canonical spelling of the signature", `/t/c/${respelled}`],
    ["no signature at all", `/t/c/${forgedBody}`],
    ["an empty signature", `/t/c/${forgedBody}.`],
    ["a token signed with another secret", `/t/c/${signTrackingToken(click, "someone-elses-secret")}`],
    ["a signed javascript: URL", `/t/c/${signTrackingToken({ ...click, u: "javascript:alert(1)" }, TRACKING_SECRET)}`],
    ["a signed open token on the click route", `/t/c/${signTrackingToken(open, TRACKING_SECRET)}`],
    ["a signed click token on the open route", `/t/o/${signTrackingToken(click, TRACKING_SECRET)}`],
    ["garbage", "/t/c/%E2%80%AE..."],
    ["an oversized token", `/t/o/${"a".repeat(5_000)}.${signature}`],
  ])("%s: 400, no redirect, nothing queued", async (_, path) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await queuedEvents()).toEqual([]);
  });
});
