// Redis stopped mid-test: every call answers within a bound (SERVICE_UNAVAILABLE, 503, or the
// pixel without its event), validation and auth keep working, and after Redis comes back every
// job that was reported queued is there.
import { generateKeyPairSync, sign } from "node:crypto";
import { Queue } from "@notify/queue";
import { signTrackingToken } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness, TRACKING_SECRET } from "./support/harness.ts";

/** The harness bounds Redis work at 1 s; allow for HTTP and a loaded CI machine on top. */
const BOUND_MS = 4_000;

const webhookKeys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    appendOnly: true,
    config: { sendgridPublicKey: webhookKeys.publicKey.export({ format: "der", type: "spki" }).toString("base64") },
  });
});
afterAll(async () => {
  await h?.close();
});

const send = (i: number) =>
  h.service.email.send.mutate({ template: "welcome", to: `u${i}@example.com`, data: { user_name: `U${i}` } });

async function timedCall<T>(call: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const started = Date.now();
  const [result] = await Promise.allSettled([call()]);
  return { ms: Date.now() - started, result: result as PromiseSettledResult<T> };
}

describe("Redis stopped mid-test", () => {
  it("fails fast while down and loses no job that was reported queued", async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) acknowledged.push((await send(i)).jobId);

    // Requests in flight while Redis goes away: each one either succeeds or says unavailable.
    const inFlight = Array.from({ length: 40 }, (_, i) => timedCall(() => send(100 + i)));
    await h.redisServer.stopProcess("SIGTERM");
    for (const { ms, result } of await Promise.all(inFlight)) {
      expect(ms).toBeLessThan(BOUND_MS);
      if (result.status === "fulfilled") acknowledged.push(result.value.jobId);
      else expect((result.reason as { data?: { code?: string } }).data?.code).toBe("SERVICE_UNAVAILABLE");
    }

    const down = await timedCall(() => send(999));
    expect(down.ms).toBeLessThan(BOUND_MS);
    expect(down.result.status).toBe("rejected");
    expect((await trpcError(send(998))).code).toBe("SERVICE_UNAVAILABLE");
    expect((await trpcError(h.admin.queues.stats.query({ queue: "email" }))).code).toBe("SERVICE_UNAVAILABLE");

    // What does not need Redis still answers as usual.
    expect((await trpcError(h.service.email.send.mutate({ template: "welcome", to: "nope", data: {} }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(
      (
        await trpcError(
          h.anonymous.email.send.mutate({ template: "welcome", to: "a@example.com", data: { user_name: "A" } }),
        )
      ).code,
    ).toBe("UNAUTHORIZED");

    const health = await timedCall(() => fetch(`${h.app.url}/health`));
    expect(health.ms).toBeLessThan(BOUND_MS);
    if (health.result.status !== "fulfilled") throw new Error("health did not answer");
    expect(health.result.value.status).toBe(503);
    expect(await health.result.value.json()).toMatchObject({ status: "fail", redis: "down" });

    // An orchestrator takes the instance out of rotation but does not restart it: Redis is away, not the process.
    expect((await fetch(`${h.app.url}/live`)).status).toBe(200);
    const notReady = await fetch(`${h.app.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: "fail" });

    const metrics = await fetch(`${h.app.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^notify_redis_up 0$/m);

    // A reader opening the email still gets the pixel; the lost event is counted, not hidden.
    const pixel = await fetch(
      `${h.app.url}/t/o/${signTrackingToken({ k: "o", j: "j", r: "r@example.com", t: Date.now() }, TRACKING_SECRET)}`,
    );
    expect(pixel.status).toBe(200);
    expect(await (await fetch(`${h.app.url}/metrics`)).text()).toMatch(
      /notify_tracking_requests_total\{kind="open",outcome="lost"\} 1/,
    );

    // SendGrid is told to retry later rather than being told its events were taken.
    const body = JSON.stringify([{ email: "a@example.com", event: "delivered", timestamp: 1_760_000_000 }]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const webhook = await fetch(`${h.app.url}/webhooks/sendgrid`, {
      method: "POST",
      headers: {
        "X-Twilio-Email-Event-Webhook-Signature": sign(
          "sha256",
          Buffer.from(timestamp + body),
          webhookKeys.privateKey,
        ).toString("base64"),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
      },
      body,
    });
    expect(webhook.status).toBe(503);

    // Many requests waiting out the same outage share one wait for the reconnect. At most two
    // "ready" listeners: that one, and ioredis' own while a reconnect attempt is under way (it
    // comes and goes with each attempt, so no count taken before the crowd is a fixed baseline).
    const crowd = Array.from({ length: 200 }, (_, i) => timedCall(() => send(2_000 + i)));
    await waitFor(() => h.redis.listenerCount("ready") > 0, { message: "requests waiting for Redis" });
    expect(h.redis.listenerCount("ready")).toBeLessThanOrEqual(2);
    for (const { result } of await Promise.all(crowd)) expect(result.status).toBe("rejected");
    expect(h.redis.listenerCount("ready")).toBeLessThanOrEqual(2);

    await h.redisServer.startProcess();
    await waitFor(async () => (await fetch(`${h.app.url}/health`)).status === 200, {
      timeoutMs: 15_000,
      message: "health back to 200",
    });
    expect((await fetch(`${h.app.url}/ready`)).status).toBe(200);
    acknowledged.push((await send(1_000)).jobId);

    const email = new Queue("email", { connection: h.redis });
    for (const id of acknowledged) expect((await email.getJob(id))?.state, `job ${id}`).toBe("pending");
  });
});
