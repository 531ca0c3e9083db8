// The API with what @notify/delivery exports, wired as src/server.ts wires it: previews rendered by
// the workers' templates and workers.drain sending through the console provider into an outbox,
// with the worker processes' own settings (attempts, concurrency, rate limit).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDrainTargets, createTemplateRenderer, type DrainTarget, drainTargetsFor } from "@notify/delivery";
import { Queue } from "@notify/queue";
import { emailEventStats } from "@notify/queue/notifications";
import { ProviderStandIn, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let outbox = "";
// Filled once the harness's Redis exists; the app reads the record at call time.
const handlers: Record<string, DrainTarget> = {};
beforeAll(async () => {
  outbox = await mkdtemp(join(tmpdir(), "notify-api-outbox-"));
  h = await startHarness({ handlers, templates: createTemplateRenderer({ appName: "Acme" }) });
  const env = { OUTBOX_DIR: outbox, LOG_LEVEL: "silent", APP_NAME: "Acme" };
  Object.assign(handlers, await createDrainTargets({ redis: h.redis, env }));
});
afterAll(async () => {
  await h?.close();
  await rm(outbox, { recursive: true, force: true });
});

describe("templates.preview with the workers' renderer", () => {
  it("renders an email with the data HTML-escaped", async () => {
    const preview = await h.admin.templates.preview.query({
      channel: "email",
      template: "welcome",
      data: { user_name: '<b>Ann & "Co"</b>' },
    });
    expect(preview).toMatchObject({ channel: "email", subject: 'Welcome to Acme, <b>Ann & "Co"</b>!' });
    if (preview.channel !== "email") throw new Error("expected an email preview");
    expect(preview.html).toContain("Welcome, &lt;b&gt;Ann &amp; &quot;Co&quot;&lt;/b&gt;!");
    expect(preview.html).not.toContain("<b>Ann");
    expect(preview.text).toContain('<b>Ann & "Co"</b>');
  });

  it("renders an SMS", async () => {
    const preview = await h.admin.templates.preview.query({ channel: "sms", template: "otp", data: { otp: "123456" } });
    expect(preview).toEqual({
      channel: "sms",
      text: "123456 is your Acme verification code. It expires in 10 minutes. Do not share it with anyone.",
    });
  });

  it("still refuses data the template cannot take", async () => {
    const error = await trpcError(
      h.admin.templates.preview.query({ channel: "sms", template: "otp", data: { otp: "12" } }),
    );
    expect(error.code).toBe("BAD_REQUEST");
  });
});

/** Swaps the email queue's drain target for one built from `env` while `run` runs. */
async function withEmailTarget(env: Record<string, string>, run: () => Promise<void>): Promise<void> {
  const previous = handlers.email;
  const targets = await createDrainTargets({ redis: h.redis, env: { LOG_LEVEL: "silent", ...env } });
  handlers.email = targets.email as DrainTarget;
  try {
    await run();
  } finally {
    handlers.email = previous as DrainTarget;
  }
}

describe("workers.drain with the workers' settings", () => {
  it("drains seed 000's RPUSH email_events, as its cron-called POST /api/worker did", async () => {
    await h.redis.rpush(
      "email_events",
      '{"id":"drain-ev-1","type":"EMAIL_DELIVERED","campaignId":"drain-camp","recipient":"d@example.com","timestamp":1764600000000}',
      '{"id":"drain-ev-2","type":"EMAIL_OPENED","campaignId":"drain-camp","recipient":"d@example.com","timestamp":1764600001}',
    );
    // No recipient: the one event the drain cannot use, listed in its result with the reason.
    await h.redis.rpush("email_events", '{"id":"drain-ev-bad","type":"EMAIL_OPENED","campaignId":"drain-camp"}');
    const result = await h.admin.workers.drain.mutate({ queue: "email_events", limit: 50 });
    expect(result).toMatchObject({ processed: 2, deadLettered: 1, remaining: 0, failuresOmitted: 0 });
    expect(result.failures).toEqual([
      {
        id: "drain-ev-bad",
        type: "EMAIL_OPENED",
        outcome: "dead",
        reason: "invalid",
        error: expect.stringMatching(/recipient/),
      },
    ]);
    expect(await h.redis.llen("email_events")).toBe(0);
    expect(await emailEventStats(h.redis, "drain-camp")).toMatchObject({ delivered: 1, opens: 1 });
    // The campaign was sent elsewhere: no batch here, but its events are readable by its id.
    expect(await h.service.batches.events.query({ batchId: "drain-camp" })).toMatchObject({
      delivered: 1,
      opens: 1,
      uniqueOpens: 1,
    });
  });

  it("dead-letters after MAX_ATTEMPTS, on the workers' retry schedule", async () => {
    const standIn = await new ProviderStandIn().start();
    standIn.setFallback("sendgrid", { kind: "status", status: 503 });
    const env = { SENDGRID_API_KEY: "SG.test", SENDGRID_BASE_URL: standIn.url, MAX_ATTEMPTS: "2", RETRY_BASE_MS: "20" };
    const dead = new Queue("email", { connection: h.redis });
    const deadBefore = (await dead.stats()).dead;
    try {
      await withEmailTarget(env, async () => {
        await h.service.email.send.mutate({ template: "welcome", to: "fails@example.com", data: { user_name: "F" } });
        // Each drain runs what is due; the retry is due RETRY_BASE_MS (with jitter) later.
        await waitFor(
          async () => {
            await h.admin.workers.drain.mutate({ queue: "email", limit: 10 });
            return (await dead.stats()).dead > deadBefore;
          },
          { timeoutMs: 10_000, message: "the job dead-lettered" },
        );
      });
      // The engine's default is 3 attempts: 2 provider calls prove the drain used MAX_ATTEMPTS.
      expect(standIn.stats().requests).toBe(2);
    } finally {
      await standIn.stop();
    }
  });

  it("runs as many jobs at once as the workers' concurrency", async () => {
    const standIn = await new ProviderStandIn({ latencyMs: 150 }).start();
    try {
      const env = { SENDGRID_API_KEY: "SG.test", SENDGRID_BASE_URL: standIn.url, EMAIL_CONCURRENCY: "3" };
      await withEmailTarget(env, async () => {
        for (let i = 0; i < 9; i++)
          await h.service.email.send.mutate({ template: "welcome", to: `c${i}@example.com`, data: { user_name: "C" } });
        expect(await h.admin.workers.drain.mutate({ queue: "email", limit: 9 })).toMatchObject({ processed: 9 });
      });
      expect(standIn.peakInFlight).toBe(3);
    } finally {
      await standIn.stop();
    }
  });

  it("checks the configuration at start and reports it to each drain", () => {
    expect(() => drainTargetsFor({ redis: h.redis, env: { MAX_ATTEMPTS: "0" } })).toThrow(
      /^invalid configuration: MAX_ATTEMPTS /,
    );
  });
});

describe("workers.drain with the workers' handlers", () => {
  it("holds the workers' shared rate limit and counts against it", async () => {
    const limited = await createDrainTargets({
      redis: h.redis,
      env: { OUTBOX_DIR: outbox, LOG_LEVEL: "silent", EMAIL_RATE_LIMIT: "2", EMAIL_RATE_WINDOW_MS: "1000" },
    });
    expect(limited.email?.options.limiter).toEqual({ name: "console-email", max: 2, durationMs: 1000 });
    for (let i = 0; i < 5; i++) {
      await h.service.email.send.mutate({ template: "welcome", to: `rate${i}@example.com`, data: { user_name: "R" } });
    }
    const unlimited = handlers.email;
    handlers.email = limited.email as DrainTarget;
    try {
      const result = await h.admin.workers.drain.mutate({ queue: "email", limit: 5 });
      expect(result).toMatchObject({ processed: 5, remaining: 0 });
      // 2 at once, then 2 a second: the last of 5 cannot start before 1.5 s.
      expect(result.durationMs).toBeGreaterThanOrEqual(1_400);
    } finally {
      handlers.email = unlimited as DrainTarget;
    }
    expect(await h.redis.exists("queue:{limit:console-email}")).toBe(1);
  });

  it("sends queued emails and SMS through the console provider", async () => {
    const email = await h.service.email.send.mutate({
      template: "welcome",
      to: "drain@example.com",
      data: { user_name: "<i>Dee</i>" },
    });
    const sms = await h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "654321" } });

    expect(await h.admin.workers.drain.mutate({ queue: "email", limit: 10 })).toMatchObject({
      processed: 1,
      failed: 0,
      deadLettered: 0,
      remaining: 0,
    });
    const html = await readFile(join(outbox, "email", `${email.jobId}.html`), "utf8");
    expect(html).toContain("Welcome, &lt;i&gt;Dee&lt;/i&gt;!");
    const meta = JSON.parse(await readFile(join(outbox, "email", `${email.jobId}.json`), "utf8"));
    expect(meta).toMatchObject({ to: "drain@example.com", subject: "Welcome to Acme, <i>Dee</i>!" });
    expect((await h.service.jobs.get.query({ id: email.jobId })).state).toBe("completed");

    expect(await h.admin.workers.drain.mutate({ queue: "sms", limit: 10 })).toMatchObject({
      processed: 1,
      remaining: 0,
    });
    const sent = JSON.parse(await readFile(join(outbox, "sms", `${sms.jobId}.json`), "utf8"));
    expect(sent.text).toContain("654321 is your Acme verification code");
  });
});
