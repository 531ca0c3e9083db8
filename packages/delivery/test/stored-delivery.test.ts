// Stored templates and preferences through the real email and SMS handlers, engine worker,
// SendGrid and MSG91 clients and the stand-in (issue 14 part B).
import { createRedis, createWorker, type Job, Queue, type RedisConnection } from "@notify/queue";
import {
  deleteTemplate,
  publishTemplate,
  saveTemplateDraft,
  unsubscribe,
  verifyTrackingToken,
} from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMsg91Provider } from "../src/providers/msg91.ts";
import { createSmsHandler } from "../src/sms-handler.ts";
import { createLiveTemplates } from "../src/stored-lookup.ts";
import { type Harness, startEmailHarness } from "./support/email-worker-harness.ts";
import { silentLogger } from "./support/silent-logger.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.good" });
let harness: Harness | null = null;
const SECRET = "t".repeat(40);
const tracking = { baseUrl: "https://t.example.com", secret: SECRET };

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await standIn.start();
});
afterEach(async () => {
  await harness?.close();
  harness = null;
});
afterAll(async () => {
  redis.disconnect();
  await standIn.stop();
  await server.stop();
});

const mjml = (line: string) =>
  `<mjml><mj-body><mj-section><mj-column><mj-text>${line}</mj-text><mj-text><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>`;

interface SentMail {
  subject: string;
  headers?: Record<string, string>;
  content: { type: string; value: string }[];
}
const sentTo = (to: string) =>
  standIn.deliveries.filter((d) => d.provider === "sendgrid" && d.to === to).map((d) => d.body as SentMail);

const outcome = (id: string) =>
  harness?.events.find((e) => e.jobId === id && (e.type === "completed" || e.type === "dead"));

describe("stored email templates", () => {
  it("override the built-in of the same name, in the recipient's locale, escaping data", async () => {
    await saveTemplateDraft(redis, {
      channel: "email",
      name: "welcome",
      variables: [{ name: "user_name" }],
      locales: {
        default: { subject: "Hello {{user_name}}", mjml: mjml("Hi {{user_name}}"), text: "Hi {{user_name}}" },
        de: { subject: "Hallo {{user_name}}", mjml: mjml("Hallo {{user_name}}"), text: "Hallo {{user_name}}" },
      },
    });
    await publishTemplate(redis, "email", "welcome");
    try {
      harness = await startEmailHarness(redis, standIn);
      const en = await harness.queue.push({ type: "welcome", to: "en@example.com", data: { user_name: "<b>Ann</b>" } });
      const de = await harness.queue.push({
        type: "welcome",
        to: "de@example.com",
        data: { user_name: "Jan", locale: "de-AT" },
      });
      const missing = await harness.queue.push({ type: "welcome", to: "x@example.com", data: {} });
      await waitFor(() => [en.id, de.id, missing.id].every((id) => outcome(id)), {
        message: "three outcomes",
        timeoutMs: 30_000,
      });
      expect(sentTo("en@example.com")[0]?.subject).toBe("Hello <b>Ann</b>");
      expect(sentTo("en@example.com")[0]?.content.find((c) => c.type === "text/html")?.value).toContain(
        "Hi &lt;b&gt;Ann",
      );
      expect(sentTo("de@example.com")[0]?.subject).toBe("Hallo Jan");
      // Transactional by default: no unsubscribe headers.
      expect(sentTo("de@example.com")[0]?.headers).toBeUndefined();
      expect(outcome(missing.id)).toMatchObject({
        type: "dead",
        error: expect.stringMatching(/data\.user_name: required/),
      });
    } finally {
      await deleteTemplate(redis, "email", "welcome");
    }
  });

  it("an unsubscribed recipient gets no campaign email; others get one-click unsubscribe headers", async () => {
    await saveTemplateDraft(redis, {
      channel: "email",
      name: "spring_sale",
      category: "marketing",
      locales: { default: { subject: "Spring sale", mjml: mjml("Sale!"), text: "Sale!" } },
    });
    await publishTemplate(redis, "email", "spring_sale");
    await unsubscribe(redis, "gone@example.com", "marketing");
    harness = await startEmailHarness(redis, standIn, "SG.good", { tracking });
    const kept = await harness.queue.push({ type: "spring_sale", to: "kept@example.com", data: {} });
    const gone = await harness.queue.push({ type: "spring_sale", to: "gone@example.com", data: {} });
    // The same person still gets transactional mail.
    const receipt = await harness.queue.push({
      type: "cashback_confirmed",
      to: "gone@example.com",
      data: { amount: 5 },
    });
    // A campaign of a built-in (a job with a batch id) is marketing too.
    const campaign = await harness.queue.pushBulk([{ type: "welcome", to: "gone@example.com", data: {} }]);
    const [campaignJob = ""] = campaign.ids;
    await waitFor(() => [kept.id, gone.id, receipt.id, campaignJob].every((id) => outcome(id)), {
      message: "three outcomes",
      timeoutMs: 30_000,
    });

    expect(outcome(gone.id)).toMatchObject({ type: "dead", error: "recipient unsubscribed from marketing messages" });
    expect(harness.events.filter((e) => e.type === "retrying")).toEqual([]);
    expect(standIn.deliveriesOf(gone.id)).toBe(0);
    expect(outcome(receipt.id)?.type).toBe("completed");
    expect(outcome(campaignJob)).toMatchObject({
      type: "dead",
      error: "recipient unsubscribed from marketing messages",
    });
    const { entries } = await harness.queue.dlq.list();
    expect(JSON.stringify(entries)).toContain(gone.id);
    expect(JSON.stringify(entries)).toContain("unsubscribed");

    const mail = sentTo("kept@example.com")[0];
    expect(mail?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const url = /^<(https:\/\/t\.example\.com\/u\/(.+))>$/.exec(mail?.headers?.["List-Unsubscribe"] ?? "");
    expect(verifyTrackingToken(url?.[2] ?? "", SECRET)).toMatchObject({
      k: "u",
      r: "kept@example.com",
      g: "marketing",
    });
    // The same signed link is in the body.
    expect(mail?.content.find((c) => c.type === "text/html")?.value).toContain(url?.[1]);
  });
});

describe("stored SMS templates", () => {
  it("are sent as one line in the recipient's locale; an unsubscribed number gets none", async () => {
    const name = "promo_sms";
    await saveTemplateDraft(redis, {
      channel: "sms",
      name,
      category: "promotions",
      variables: [{ name: "code", maxLength: 12 }],
      locales: { default: { text: "Use {{code}}\nat {{app_name}}" }, hi: { text: "{{code}} ka upyog karein" } },
    });
    await publishTemplate(redis, "sms", name);
    await unsubscribe(redis, "+919876500002", "promotions");
    const queue = new Queue(`sms-stored-${Date.now()}`, { connection: redis });
    const results = new Map<string, string>();
    const worker = createWorker(
      queue.name,
      createSmsHandler({
        redis,
        templates: createLiveTemplates(redis),
        provider: createMsg91Provider({
          authKey: "k",
          senderId: "NOTIFY",
          route: "4",
          baseUrl: standIn.url,
          timeoutMs: 500,
        }),
        appName: "Shop",
        logger: silentLogger,
      }),
      { connection: redis, concurrency: 2 },
    );
    worker.on("completed", (job: Job) => results.set(job.id, "completed"));
    worker.on("dead", (job: Job | null, error: Error) => job && results.set(job.id, error.message));
    try {
      const en = await queue.push({ type: name, to: "+919876500001", data: { code: "SAVE10" } });
      const hi = await queue.push({ type: name, to: "+919876500003", data: { code: "SAVE10", locale: "hi" } });
      const gone = await queue.push({ type: name, to: "+919876500002", data: { code: "SAVE10" } });
      await waitFor(() => results.size === 3, { message: "three outcomes", timeoutMs: 30_000 });
      expect(results.get(en.id)).toBe("completed");
      expect(results.get(hi.id)).toBe("completed");
      expect(results.get(gone.id)).toBe("recipient unsubscribed from promotions messages");
      const texts = standIn.deliveries.filter((d) => d.provider === "msg91").map((d) => d.key);
      expect(texts).toContain("919876500001:Use SAVE10 at Shop");
      expect(texts).toContain("919876500003:SAVE10 ka upyog karein");
    } finally {
      await worker.close({ graceMs: 500 });
    }
  });
});
