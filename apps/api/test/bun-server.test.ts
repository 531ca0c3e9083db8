// The real thing: src/server.ts under Bun, a real Redis, @notify/client over HTTP.
import { createNotifyClient } from "@notify/client";
import { Queue } from "@notify/queue";
import { signTrackingToken } from "@notify/queue/notifications";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PIXEL_GIF } from "../src/http/tracking.ts";
import { type BunApi, startBunApi } from "./support/bun-process.ts";
import { trpcError } from "./support/errors.ts";
import { ADMIN_TOKEN, SERVICE_KEY, TRACKING_SECRET, testRedis } from "./support/harness.ts";

let redisServer: RedisServerHandle;
let api: BunApi;
const env = () => ({
  REDIS_URL: redisServer.url,
  API_KEYS: SERVICE_KEY,
  ADMIN_TOKEN,
  TRACKING_SECRET,
  NOTIFY_DEV: "1",
  HEALTH_REQUIRE_WORKERS: "false",
});
beforeAll(async () => {
  redisServer = await startRedisServer();
  api = await startBunApi(env());
});
afterAll(async () => {
  if (api) await api.stop();
  await redisServer?.stop();
});

describe("the Bun server", () => {
  it("serves tRPC, tracking and health", async () => {
    const service = createNotifyClient({ url: api.url, apiKey: SERVICE_KEY });
    const admin = createNotifyClient({ url: api.url, apiKey: ADMIN_TOKEN });
    const sent = await service.email.send.mutate({
      template: "welcome",
      to: "bun@example.com",
      data: { user_name: "Bun" },
    });
    expect((await service.jobs.get.query({ id: sent.jobId })).state).toBe("pending");
    expect((await admin.queues.stats.query({ queue: "email" })).pending).toBe(1);
    expect((await trpcError(service.sms.send.mutate({ template: "otp", to: "123", data: { otp: "1" } }))).code).toBe(
      "BAD_REQUEST",
    );
    expect((await trpcError(createNotifyClient({ url: api.url }).redis.info.query())).code).toBe("UNAUTHORIZED");

    const pixel = await fetch(
      `${api.url}/t/o/${signTrackingToken({ k: "o", j: sent.jobId, r: "bun@example.com", t: Date.now() }, TRACKING_SECRET)}`,
    );
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get("content-type")).toBe("image/gif");
    // Each hit is a clone of one prebuilt Response: every one must carry the whole GIF.
    expect(Buffer.from(await pixel.arrayBuffer()).equals(PIXEL_GIF)).toBe(true);
    const again = await fetch(pixel.url);
    expect(Buffer.from(await again.arrayBuffer()).equals(PIXEL_GIF)).toBe(true);
    const redis = testRedis(redisServer.url);
    try {
      const events = new Queue("email_events", { connection: redis });
      await waitFor(async () => (await events.stats()).pending === 1, { message: "the open event" });
    } finally {
      redis.disconnect();
    }

    // Wired from @notify/workers. This secret is shorter than the email worker accepts, so the
    // entry serves without drain handlers and says why, instead of refusing to start.
    expect(await admin.templates.preview.query({ channel: "sms", template: "otp", data: { otp: "4321" } })).toEqual({
      channel: "sms",
      text: "4321 is your Notify verification code. It expires in 10 minutes. Do not share it with anyone.",
    });
    expect((await trpcError(admin.workers.drain.mutate({ queue: "email", limit: 1 }))).code).toBe(
      "PRECONDITION_FAILED",
    );
    expect(api.output()).toContain("workers.drain is off");

    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const queueTest = await fetch(`${api.url}/queue/test`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE_KEY },
    });
    const queued = (await queueTest.json()) as { queued: boolean };
    expect(queued.queued).toBe(true);
  });

  it("exits 0 on SIGTERM", async () => {
    expect(await api.stop()).toBe(0);
    expect(api.output()).toContain('"api stopping"');
  });
});

// The entry hands the app the peer's address lazily (a getter): the per-client limit still holds under Bun.
describe("the Bun server's tracking limit", () => {
  it("answers 429 to a client past TRACKING_RATE_LIMIT, by its peer address", async () => {
    const limited = await startBunApi({ ...env(), TRACKING_RATE_LIMIT: "2" });
    try {
      const hit = (job: string) =>
        fetch(
          `${limited.url}/t/o/${signTrackingToken({ k: "o", j: job, r: "bun@example.com", t: Date.now() }, TRACKING_SECRET)}`,
        );
      expect((await hit("limit-1")).status).toBe(200);
      expect((await hit("limit-2")).status).toBe(200);
      const refused = await hit("limit-3");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });
});
