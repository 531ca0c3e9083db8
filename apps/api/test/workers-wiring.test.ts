// The API with what @notify/workers exports, wired as src/server.ts wires it: previews rendered by
// the workers' templates and worker.drain sending through the console provider into an outbox.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDrainHandlers, createTemplateRenderer, type DrainTarget } from "@notify/workers";
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
  Object.assign(handlers, await createDrainHandlers({ redis: h.redis, env }));
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

describe("worker.drain with the workers' handlers", () => {
  it("holds the workers' shared rate limit and counts against it", async () => {
    const limited = await createDrainHandlers({
      redis: h.redis,
      env: { OUTBOX_DIR: outbox, LOG_LEVEL: "silent", EMAIL_RATE_LIMIT: "2", EMAIL_RATE_WINDOW_MS: "1000" },
    });
    expect(limited.email?.limiter).toEqual({ name: "console-email", max: 2, durationMs: 1000 });
    for (let i = 0; i < 5; i++) {
      await h.service.email.send.mutate({ template: "welcome", to: `rate${i}@example.com`, data: { user_name: "R" } });
    }
    const unlimited = handlers.email;
    handlers.email = limited.email as DrainTarget;
    try {
      const result = await h.admin.worker.drain.mutate({ queue: "email", limit: 5 });
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

    expect(await h.admin.worker.drain.mutate({ queue: "email", limit: 10 })).toMatchObject({
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

    expect(await h.admin.worker.drain.mutate({ queue: "sms", limit: 10 })).toMatchObject({
      processed: 1,
      remaining: 0,
    });
    const sent = JSON.parse(await readFile(join(outbox, "sms", `${sms.jobId}.json`), "utf8"));
    expect(sent.text).toContain("654321 is your Acme verification code");
  });
});
