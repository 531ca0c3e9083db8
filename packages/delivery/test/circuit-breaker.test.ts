// The breaker's states on a clock the test moves (no waiting), then a chain of real providers
// (SendGrid's and SES's clients) against two stand-ins: which replies fail over at once, which
// wait for a retry, which stay permanent, and what is published to Redis.
import { createRedis, HaltQueueError, PermanentError, type RedisConnection, RetryableError } from "@notify/queue";
import { breakerStates } from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannelChain } from "../src/failover/channel-chain.ts";
import { type BreakerSettings, CircuitBreaker } from "../src/failover/circuit-breaker.ts";
import { ProvidersUnavailableError } from "../src/failover/provider-chain.ts";
import { createSendGridProvider } from "../src/providers/sendgrid.ts";
import { createSesProvider } from "../src/providers/ses.ts";
import type { EmailMessage } from "../src/providers/types.ts";
import { silentLogger } from "./support/silent-logger.ts";

const SETTINGS: BreakerSettings = { failureThreshold: 3, openMs: 1_000, credentialsOpenMs: 60_000 };

describe("circuit breaker", () => {
  const breaker = () => {
    let now = 0;
    const changes: string[] = [];
    const b = new CircuitBreaker({
      ...SETTINGS,
      channel: "email",
      provider: "p",
      now: () => now,
      onChange: (r) => changes.push(r.state),
    });
    return { b, changes, advance: (ms: number) => (now += ms) };
  };
  const boom = new Error("500");

  it("opens after the threshold of failures in a row; a success in between resets the count", () => {
    const { b, changes } = breaker();
    b.failed(boom);
    b.failed(boom);
    b.succeeded();
    b.failed(boom);
    b.failed(boom);
    expect(b.tryAcquire()).toBe(true);
    b.failed(boom);
    expect(changes).toEqual(["open"]);
    expect(b.tryAcquire()).toBe(false);
    expect(b.waitMs()).toBe(1_000);
  });

  it("half-open after openMs lets one probe through; success closes, failure re-opens", () => {
    const { b, changes, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failed(boom);
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.failed(boom);
    expect(b.report().state).toBe("open");
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.succeeded();
    expect(b.tryAcquire()).toBe(true);
    expect(changes).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });

  it("rejected credentials open it at once, for credentialsOpenMs", () => {
    const { b, advance } = breaker();
    b.credentialsRejected(new Error("401"));
    expect(b.report()).toMatchObject({ state: "open", reason: "credentials", lastError: "401" });
    advance(59_999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
  });
});

describe("a chain of SendGrid then SES", () => {
  let server: RedisServerHandle;
  let redis: RedisConnection;
  const sendgridStandIn = new ProviderStandIn({ sendgridApiKey: "SG.good" });
  const sesStandIn = new ProviderStandIn();
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedis(server.url);
    await Promise.all([sendgridStandIn.start(), sesStandIn.start()]);
  });
  afterAll(async () => {
    redis.disconnect();
    await Promise.all([sendgridStandIn.stop(), sesStandIn.stop(), server.stop()]);
  });

  let n = 0;
  const email = (): EmailMessage => ({
    jobId: `chain-${++n}`,
    to: "ann@example.com",
    from: "no-reply@example.com",
    subject: "Hi",
    html: "<p>Hi</p>",
    text: "Hi",
    category: "welcome",
  });
  const chain = (sendgridKey = "SG.good", timeoutMs = 2_000) =>
    createChannelChain(
      [
        createSendGridProvider({ apiKey: sendgridKey, baseUrl: sendgridStandIn.url, timeoutMs }),
        createSesProvider({
          region: "eu-west-1",
          endpoint: sesStandIn.url,
          timeoutMs,
          credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
        }),
      ],
      { channel: "email", breaker: SETTINGS, redis, logger: silentLogger },
    );
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => error,
    );

  it("SendGrid answers: it sends, and the result names it", async () => {
    const message = email();
    expect(await chain().send(message)).toMatchObject({
      provider: "sendgrid",
      providerId: expect.stringMatching(/^sg-/),
    });
    expect(sendgridStandIn.deliveriesOf(message.jobId) + sesStandIn.deliveriesOf(message.jobId)).toBe(1);
  });

  it("503 from SendGrid: SES sends the same message at once", async () => {
    sendgridStandIn.script("sendgrid", { kind: "status", status: 503 });
    const message = email();
    expect(await chain().send(message)).toMatchObject({ provider: "ses" });
    expect(sesStandIn.deliveriesOf(message.jobId)).toBe(1);
    expect(sendgridStandIn.deliveriesOf(message.jobId)).toBe(0);
  });

  it("a 400 from SendGrid is permanent: SES is not asked", async () => {
    sendgridStandIn.script("sendgrid", { kind: "status", status: 400, message: "bad address" });
    const message = email();
    expect(await failure(chain().send(message))).toBeInstanceOf(PermanentError);
    expect(sesStandIn.deliveriesOf(message.jobId)).toBe(0);
  });

  it("a SendGrid timeout waits for a retry (it may have gone out); once the breaker opens, SES takes over", async () => {
    const c = chain("SG.good", 200);
    sendgridStandIn.script("sendgrid", { kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    for (let i = 0; i < 3; i++) {
      const error = await failure(c.send(email()));
      expect(error).toBeInstanceOf(RetryableError);
      expect(error).not.toBeInstanceOf(ProvidersUnavailableError);
    }
    const message = email();
    const before = sendgridStandIn.stats().requests;
    expect(await c.send(message)).toMatchObject({ provider: "ses" });
    // Open: SendGrid was not even asked.
    expect(sendgridStandIn.stats().requests).toBe(before);
    const states = await waitFor(async () => {
      const all = await breakerStates(redis);
      return all.find((s) => s.provider === "sendgrid" && s.state === "open") ? all : null;
    });
    expect(states.find((s) => s.provider === "ses")).toMatchObject({ channel: "email", state: "closed" });
  });

  it("SendGrid refuses the key: its breaker opens for credentials and SES sends, no pause", async () => {
    const c = chain("SG.revoked");
    const first = email();
    expect(await c.send(first)).toMatchObject({ provider: "ses" });
    expect(await c.send(email())).toMatchObject({ provider: "ses" });
    const sendgrid = await waitFor(async () =>
      (await breakerStates(redis)).find((s) => s.provider === "sendgrid" && s.reason === "credentials"),
    );
    expect(sendgrid).toMatchObject({ state: "open", lastError: expect.stringContaining("401") });
  });

  it("both refuse the key: the queue is paused (halt)", async () => {
    sesStandIn.setFallback("ses", { kind: "status", status: 403, message: "The security token is invalid" });
    try {
      const c = chain("SG.revoked");
      expect(await failure(c.send(email()))).toBeInstanceOf(HaltQueueError);
      // And again with both breakers open: they are probed, then the queue pauses again.
      expect(await failure(c.send(email()))).toBeInstanceOf(HaltQueueError);
    } finally {
      sesStandIn.setFallback("ses", { kind: "ok" });
    }
  });

  it("both down: one retryable error that waits for the first breaker to probe", async () => {
    sendgridStandIn.setFallback("sendgrid", { kind: "status", status: 500 });
    sesStandIn.setFallback("ses", { kind: "status", status: 500 });
    try {
      const c = chain();
      let error: unknown;
      for (let i = 0; i < 3; i++) error = await failure(c.send(email()));
      expect(error).toBeInstanceOf(ProvidersUnavailableError);
      expect((error as RetryableError).retryAfterMs).toBeGreaterThan(0);
      expect((error as RetryableError).retryAfterMs).toBeLessThanOrEqual(SETTINGS.openMs);
    } finally {
      sendgridStandIn.setFallback("sendgrid", { kind: "ok" });
      sesStandIn.setFallback("ses", { kind: "ok" });
    }
  });
});
