// Issue 14 part B end to end: stored templates managed and sent through the API, a real email
// worker (SendGrid client against the stand-in), the signed one-click unsubscribe page, and
// quiet hours holding a message as a delayed job until the window ends.
import { createDeliveryTarget, createTemplateRenderer } from "@notify/delivery";
import { createWorker, type Job, Queue, type Worker } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { ProviderStandIn, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const standIn = new ProviderStandIn({ sendgridApiKey: "SG.key" });
let h: Harness;
let worker: Worker;
const outcomes = new Map<string, string>();
const TRACKING_SECRET = "unsubscribe-and-tracking-secret-for-tests";

/** A quiet window that began a minute ago and ends a few seconds from now, in UTC: deterministic at any hour. */
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const windowEndingIn = (ms: number) => ({ start: clock(Date.now() - 60_000), end: clock(Date.now() + ms) });

beforeAll(async () => {
  await standIn.start();
  h = await startHarness({
    templates: createTemplateRenderer({ appName: "Acme" }),
    config: { trackingSecret: TRACKING_SECRET },
  });
  const target = await createDeliveryTarget("email", {
    redis: h.redis,
    env: {
      LOG_LEVEL: "silent",
      SENDGRID_API_KEY: "SG.key",
      SENDGRID_BASE_URL: standIn.url,
      TRACKING_BASE_URL: h.app.url,
      TRACKING_SECRET,
    },
  });
  worker = createWorker(EMAIL_QUEUE, target.handler, { connection: h.redis, concurrency: 4 });
  worker.on("completed", (job: Job) => outcomes.set(job.id, "completed"));
  worker.on("dead", (job: Job | null, error: Error) => job && outcomes.set(job.id, error.message));
});
afterAll(async () => {
  await worker?.close({ graceMs: 1_000 });
  await h?.close();
  await standIn.stop();
});

interface SentMail {
  subject: string;
  headers?: Record<string, string>;
}
const mailsTo = (to: string) =>
  standIn.deliveries.filter((d) => d.provider === "sendgrid" && d.to === to).map((d) => d.body as SentMail);

const saleMjml =
  '<mjml><mj-body><mj-section><mj-column><mj-text>{{headline}}</mj-text><mj-text><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';

describe("stored templates through the API", () => {
  it("are saved, checked, published and validated at enqueue by their declared variables", async () => {
    const bad = await trpcError(
      h.admin.templates.save.mutate({
        channel: "email",
        name: "spring_sale",
        locales: { default: { subject: "x", mjml: "<mjml><mj-body><mj-nope/></mj-body></mjml>", text: "x" } },
      }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/locale default/);

    await h.admin.templates.save.mutate({
      channel: "email",
      name: "spring_sale",
      category: "marketing",
      variables: [{ name: "headline", maxLength: 80 }],
      locales: { default: { subject: "{{headline}}", mjml: saleMjml, text: "{{headline}} {{unsubscribe_url}}" } },
    });
    // A draft is not sendable.
    expect((await trpcError(h.service.email.send.mutate({ template: "spring_sale", to: "a@example.com" }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(
      await h.admin.templates.publish.mutate({ channel: "email", name: "spring_sale", note: "launch" }),
    ).toMatchObject({
      version: 1,
    });
    const missing = await trpcError(
      h.service.email.send.mutate({ template: "spring_sale", to: "a@example.com", data: {} }),
    );
    expect(missing.issues).toEqual([{ path: "data.headline", code: "custom", message: "required by the template" }]);
    const preview = await h.admin.templates.previewStored.query({
      channel: "email",
      name: "spring_sale",
      data: { headline: "<i>Sale</i>" },
    });
    expect(preview).toMatchObject({ channel: "email", subject: "<i>Sale</i>", locale: "default" });
    if (preview.channel === "email") expect(preview.html).toContain("&lt;i&gt;Sale");
    const unknown = await trpcError(h.service.email.send.mutate({ template: "no_such_one", to: "a@example.com" }));
    expect(unknown.issues?.[0]).toMatchObject({ path: "template", message: 'unknown email template "no_such_one"' });
  });

  it("an unsubscribed contact gets no campaign email, and still gets transactional mail", async () => {
    const first = await h.service.email.sendBatch.mutate({
      template: "spring_sale",
      data: { headline: "Spring sale" },
      recipients: [{ to: "ann@example.com" }, { to: "bob@example.com" }],
    });
    await waitFor(() => mailsTo("ann@example.com").length === 1 && mailsTo("bob@example.com").length === 1, {
      message: "first campaign delivered",
    });
    const mail = mailsTo("ann@example.com")[0];
    expect(mail?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = /^<(.+)>$/.exec(mail?.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(link.startsWith(`${h.app.url}/u/`)).toBe(true);

    // Opening the link only asks; link scanners follow GETs.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await h.admin.preferences.recipient.query({ recipient: "ann@example.com" })).unsubscribed).toEqual({});
    // What Gmail's one-click button sends (RFC 8058).
    const oneClick = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect(
      Object.keys((await h.admin.preferences.recipient.query({ recipient: "ann@example.com" })).unsubscribed),
    ).toEqual(["marketing"]);
    // A forged or altered token changes nothing.
    expect((await fetch(`${link.slice(0, -3)}abc`, { method: "POST" })).status).toBe(400);

    const second = await h.service.email.sendBatch.mutate({
      template: "spring_sale",
      data: { headline: "Last chance" },
      recipients: [{ to: "ann@example.com" }, { to: "bob@example.com" }],
    });
    const receipt = await h.service.email.send.mutate({
      template: "cashback_confirmed",
      to: "ann@example.com",
      data: { amount: 5 },
    });
    await waitFor(() => mailsTo("bob@example.com").length === 2 && outcomes.get(receipt.jobId) === "completed", {
      message: "second campaign and receipt",
    });
    await waitFor(() => [...outcomes.values()].includes("recipient unsubscribed from marketing messages"), {
      message: "ann's campaign mail refused",
    });
    // Ann got the first campaign and the receipt; Bob got both campaigns.
    const annSubjects = mailsTo("ann@example.com").map((m) => m.subject);
    expect(annSubjects).toHaveLength(2);
    expect(annSubjects[0]).toBe("Spring sale");
    expect(annSubjects).not.toContain("Last chance");
    expect(mailsTo("bob@example.com").map((m) => m.subject)).toEqual(["Spring sale", "Last chance"]);
    expect([first.count, second.count]).toEqual([2, 2]);
  });

  it("a test send from the admin delivers the live version as transactional, past the category's unsubscribe", async () => {
    // Ann unsubscribed from marketing above; the operator's test send still reaches her.
    const sent = await h.admin.templates.testSend.mutate({
      channel: "email",
      name: "spring_sale",
      to: "ann@example.com",
      data: { headline: "Test of the sale" },
    });
    expect(sent).toMatchObject({ queue: EMAIL_QUEUE, version: 1 });
    await waitFor(() => outcomes.get(sent.jobId) === "completed", { message: "test send delivered" });
    const mail = mailsTo("ann@example.com").find((m) => m.subject === "Test of the sale");
    // Transactional: no one-click unsubscribe headers.
    expect(mail?.headers?.["List-Unsubscribe"]).toBeUndefined();
    // Only a published stored template can be test-sent; a built-in has no stored version.
    const builtIn = await trpcError(
      h.admin.templates.testSend.mutate({
        channel: "email",
        name: "welcome",
        to: "ann@example.com",
        data: { user_name: "A" },
      }),
    );
    expect(builtIn).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/publish/) });
  });
});

describe("quiet hours", () => {
  it("hold a non-critical message as a delayed job until the window ends, then it is sent", async () => {
    // The harness's config object is the app's: a window set now applies to the next request.
    h.config.quietHours = windowEndingIn(2_000);
    try {
      const held = await h.service.email.send.mutate({
        template: "welcome",
        to: "night@example.com",
        data: { user_name: "Nia", timeZone: "UTC" },
      });
      expect(held.heldUntil).toBeGreaterThan(Date.now());
      const queue = new Queue(EMAIL_QUEUE, { connection: h.redis });
      expect((await queue.getJob(held.jobId))?.state).toBe("delayed");
      const critical = await h.service.email.send.mutate({
        template: "welcome",
        to: "urgent@example.com",
        data: { user_name: "Uma", timeZone: "UTC" },
        options: { critical: true },
      });
      expect(critical.heldUntil).toBeUndefined();
      const otp = await h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "1234" } });
      expect(otp.heldUntil).toBeUndefined();

      await waitFor(() => mailsTo("urgent@example.com").length === 1, { message: "critical mail sent at once" });
      await waitFor(() => outcomes.get(held.jobId) === "completed", { message: "held mail sent", timeoutMs: 20_000 });
      const sentAt = standIn.deliveries.find((d) => d.to === "night@example.com")?.at ?? 0;
      expect(sentAt).toBeGreaterThanOrEqual(held.heldUntil ?? Number.POSITIVE_INFINITY);
    } finally {
      delete h.config.quietHours;
    }
  });
});
