// Campaign emails in provider batches, end to end: campaigns queued by sendCampaign, run by the
// email worker built from the environment as the worker process builds it, sent through SendGrid's
// official client (personalizations) to the stand-in. One request carries many recipients, each in
// a personalization of their own with their own values; a refused address fails alone; the
// provider's X-RateLimit and Retry-After headers hold the shared rate-limit bucket.
import type { RedisConnection } from "@notify/queue";
import { getMessage, sendCampaign } from "@notify/queue/notifications";
import { ProviderStandIn, waitFor } from "@notify/testing";
import { afterEach, expect, it } from "vitest";
import { substitute } from "../src/templates/campaign-batch-template.ts";
import { CampaignRenderer } from "../src/templates/campaign-renderer.ts";
import { type CampaignWorker, startCampaignWorker } from "./support/campaign-worker.ts";
import { useRedis } from "./support/redis.ts";

const t = useRedis();
let running: CampaignWorker | undefined;
let standIn: ProviderStandIn | undefined;
const LIMITER_KEY = "queue:{limit:sendgrid-email}";
afterEach(async () => {
  await running?.close();
  await t.redis.del(LIMITER_KEY);
  await standIn?.stop();
  running = undefined;
  standIn = undefined;
});

const content = {
  subject: "News for {{first_name}}",
  html: "<p>Hello {{first_name}}, your code is <b>{{code}}</b>. {{{footer}}}</p>",
  text: "Hello {{first_name}}, code {{code}}. Unsubscribe: {{unsubscribe_url}}",
};

const sendgridEnv = (url: string, extra: Record<string, string> = {}) => ({
  SENDGRID_API_KEY: "SG.batch",
  SENDGRID_BASE_URL: url,
  EMAIL_FROM: "news@example.com",
  TRACKING_BASE_URL: "https://t.example.com",
  TRACKING_SECRET: "a-tracking-secret-of-some-length",
  PROVIDER_TIMEOUT_MS: "3000",
  ...extra,
});

async function queueCampaign(redis: RedisConnection, count: number, to = (i: number) => `reader${i}@example.com`) {
  return sendCampaign(redis, {
    content,
    data: { footer: "<i>Notify</i>" },
    recipients: Array.from({ length: count }, (_, i) => ({
      to: to(i),
      personalizations: { first_name: `R<${i}>`, code: `C${i}` },
    })),
  });
}

interface SentBody {
  personalizations: {
    to: { email: string }[];
    subject: string;
    substitutions: Record<string, string>;
    custom_args: { job_id: string };
    headers?: Record<string, string>;
  }[];
  content: { type: string; value: string }[];
}

it("SendGrid: many recipients per request, one personalization each, the same email as one by one", async () => {
  standIn = await new ProviderStandIn({ sendgridApiKey: "SG.batch", latencyMs: 20 }).start();
  running = await startCampaignWorker(t.redis, sendgridEnv(standIn.url));
  const { campaignId } = await queueCampaign(t.redis, 120);
  await waitFor(() => running?.completed.size === 120, { timeoutMs: 10_000, message: "all sent" });
  const stats = standIn.stats();
  expect(stats).toMatchObject({ accepted: 120, distinct: 120, duplicates: 0 });
  // Batched: far fewer requests than recipients.
  expect(stats.requests).toBeLessThan(20);
  const delivery = standIn.deliveries[0];
  const body = delivery?.body as SentBody;
  expect(body.personalizations.length).toBeGreaterThan(1);
  // Recipients never see each other.
  for (const p of body.personalizations) expect(p.to).toHaveLength(1);
  // Each recipient's html, as the provider builds it, is what rendering it alone gives.
  const renderer = new CampaignRenderer(t.redis, "Notify");
  const html = body.content.find((c) => c.type === "text/html")?.value ?? "";
  const text = body.content.find((c) => c.type === "text/plain")?.value ?? "";
  for (const p of body.personalizations.slice(0, 5)) {
    const unsubscribe = /<([^>]+)>/.exec(p.headers?.["List-Unsubscribe"] ?? "")?.[1];
    expect(unsubscribe).toMatch(/^https:\/\/t\.example\.com\/u\//);
    const i = Number(/reader(\d+)@/.exec(p.to[0]?.email ?? "")?.[1]);
    const alone = await renderer.render(campaignId, {
      first_name: `R<${i}>`,
      code: `C${i}`,
      footer: "<i>Notify</i>",
      campaignId,
      unsubscribe_url: unsubscribe,
    });
    expect(substitute(html, p.substitutions)).toBe(alone.html);
    expect(substitute(text, p.substitutions)).toBe(alone.text);
    expect(p.subject).toBe(alone.subject);
    expect(alone.html).toContain(`R&lt;${i}&gt;`);
  }
  // Each recipient's own message log entry names the sender.
  const jobId = body.personalizations[0]?.custom_args.job_id ?? "";
  // The campaign's jobs carry it in their ids (no batchId field), and the log still names it.
  expect(jobId.startsWith(`${campaignId}-`)).toBe(true);
  expect(await getMessage(t.redis, jobId)).toMatchObject({ status: "sent", provider: "sendgrid", batchId: campaignId });
});

it("SendGrid: a refused address fails alone with SendGrid's reason; the others are sent once", async () => {
  standIn = await new ProviderStandIn({ latencyMs: 10, rejectPrefix: "bad" }).start();
  running = await startCampaignWorker(t.redis, sendgridEnv(standIn.url));
  await queueCampaign(t.redis, 60, (i) => (i === 7 || i === 42 ? `bad${i}@example.com` : `reader${i}@example.com`));
  await waitFor(() => (running?.completed.size ?? 0) + (running?.dead.size ?? 0) === 60, {
    timeoutMs: 10_000,
    message: "all settled",
  });
  expect(running.completed.size).toBe(58);
  expect(running.retried.size).toBe(0);
  expect(standIn.stats()).toMatchObject({ accepted: 58, duplicates: 0 });
  const { entries } = await running.queue.dlq.list();
  expect(entries.map((e) => e.job?.to).sort()).toEqual(["bad42@example.com", "bad7@example.com"]);
  for (const entry of entries) {
    expect(entry).toMatchObject({ reason: "rejected", attempts: 1 });
    expect(entry.error).toContain("Does not contain a valid address.");
    expect(await getMessage(t.redis, entry.id)).toMatchObject({ status: "failed" });
  }
});

it("SendGrid: X-RateLimit-Remaining 0 holds the shared bucket until X-RateLimit-Reset", async () => {
  standIn = await new ProviderStandIn({ latencyMs: 5 }).start();
  const resetAt = Math.ceil(Date.now() / 1000) + 30;
  standIn.script("sendgrid", {
    kind: "ok",
    headers: { "x-ratelimit-limit": "600", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetAt) },
  });
  running = await startCampaignWorker(t.redis, sendgridEnv(standIn.url, { EMAIL_RATE_LIMIT: "100000" }));
  await queueCampaign(t.redis, 10);
  await waitFor(async () => Number(await t.redis.hget(LIMITER_KEY, "blockedUntil")) > 0, { message: "bucket held" });
  const blockedUntil = Number(await t.redis.hget(LIMITER_KEY, "blockedUntil"));
  expect(blockedUntil).toBeGreaterThan(Date.now() + 20_000);
  expect(blockedUntil).toBeLessThanOrEqual(resetAt * 1000 + 1000);
});

it("SendGrid: a 429 with Retry-After holds the bucket; the batch is retried and sent once", async () => {
  standIn = await new ProviderStandIn({ latencyMs: 5 }).start();
  standIn.script("sendgrid", { kind: "status", status: 429, retryAfterSeconds: 1 });
  running = await startCampaignWorker(t.redis, sendgridEnv(standIn.url, { EMAIL_RATE_LIMIT: "100000" }));
  const startedAt = Date.now();
  await queueCampaign(t.redis, 20);
  await waitFor(() => running?.completed.size === 20, { timeoutMs: 10_000, message: "all sent" });
  expect(running.retried.size).toBe(20);
  expect(running.dead.size).toBe(0);
  expect(standIn.stats()).toMatchObject({ accepted: 20, duplicates: 0 });
  const blockedUntil = Number(await t.redis.hget(LIMITER_KEY, "blockedUntil"));
  expect(blockedUntil).toBeGreaterThanOrEqual(startedAt + 1000);
  // Nothing went out while the bucket was held.
  const first = Math.min(...standIn.deliveries.map((d) => d.at));
  expect(first).toBeGreaterThanOrEqual(blockedUntil - 50);
});

it("a campaign with blocks ({{#if}}) is not batched: one request per recipient, rendered alone", async () => {
  standIn = await new ProviderStandIn({ latencyMs: 5 }).start();
  running = await startCampaignWorker(t.redis, sendgridEnv(standIn.url));
  await sendCampaign(t.redis, {
    content: { subject: "Hi", html: "<p>{{#if vip}}Dear VIP{{else}}Hello{{/if}} {{name}}</p>" },
    recipients: [
      { to: "a@example.com", personalizations: { name: "A", vip: true } },
      { to: "b@example.com", personalizations: { name: "B" } },
      { to: "c@example.com", personalizations: { name: "C" } },
    ],
  });
  await waitFor(() => running?.completed.size === 3, { timeoutMs: 10_000, message: "all sent" });
  expect(standIn.stats()).toMatchObject({ requests: 3, accepted: 3, duplicates: 0 });
  const vip = standIn.deliveries.find((d) => d.to === "a@example.com")?.body as SentBody;
  expect(vip.personalizations).toHaveLength(1);
  expect(vip.content.find((c) => c.type === "text/html")?.value).toBe("<p>Dear VIP A</p>");
});
