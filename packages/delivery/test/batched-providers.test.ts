// Campaign batches through the other providers and through a failover chain: SES v2 bulk
// (SendBulkEmail through @aws-sdk/client-sesv2) answers per entry, so a rejected address fails
// alone; a SendGrid that answers 503 hands the whole batch to SES at once, each recipient sent once.
import type { RedisConnection } from "@notify/queue";
import { breakerStates, getMessage, sendCampaign } from "@notify/queue/notifications";
import { ProviderStandIn, waitFor } from "@notify/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type CampaignWorker, startCampaignWorker } from "./support/campaign-worker.ts";
import { useRedis } from "./support/redis.ts";

const t = useRedis();
let running: CampaignWorker | undefined;
const standIns: ProviderStandIn[] = [];
const savedEnv = { ...process.env };
beforeAll(() => {
  // SES credentials come from the AWS SDK's own chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = "AKIDBATCH";
  process.env.AWS_SECRET_ACCESS_KEY = "secret";
});
afterAll(() => {
  process.env = savedEnv;
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all(standIns.splice(0).map((s) => s.stop()));
});

async function standIn(options: ConstructorParameters<typeof ProviderStandIn>[0]) {
  const started = await new ProviderStandIn(options).start();
  standIns.push(started);
  return started;
}

const queueCampaign = (redis: RedisConnection, count: number, to: (i: number) => string) =>
  sendCampaign(redis, {
    content: { subject: "Hi {{name}}", html: "<p>Hello {{name}}</p>" },
    recipients: Array.from({ length: count }, (_, i) => ({ to: to(i), personalizations: { name: `N&${i}` } })),
  });

interface BulkBody {
  DefaultContent: { Template: { TemplateContent: { Subject: string; Html: string } } };
  BulkEmailEntries: {
    Destination: { ToAddresses: string[] };
    ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: string } };
  }[];
}

it("SES bulk: up to 50 entries a request, values per entry; a rejected address fails alone", async () => {
  const ses = await standIn({ sesAccessKeyId: "AKIDBATCH", latencyMs: 5, rejectPrefix: "bad" });
  running = await startCampaignWorker(t.redis, {
    EMAIL_PROVIDERS: "ses",
    SES_REGION: "eu-west-1",
    SES_ENDPOINT: ses.url,
    EMAIL_FROM: "news@example.com",
  });
  await queueCampaign(t.redis, 80, (i) => (i === 5 ? "bad5@example.com" : `reader${i}@example.com`));
  await waitFor(() => (running?.completed.size ?? 0) + (running?.dead.size ?? 0) === 80, {
    timeoutMs: 10_000,
    message: "all settled",
  });
  expect(running.completed.size).toBe(79);
  expect(ses.stats()).toMatchObject({ accepted: 79, duplicates: 0 });
  expect(ses.stats().requests).toBeLessThan(10);
  const body = ses.deliveries[0]?.body as BulkBody;
  expect(body.BulkEmailEntries.length).toBeGreaterThan(1);
  expect(body.BulkEmailEntries.length).toBeLessThanOrEqual(50);
  expect(body.DefaultContent.Template.TemplateContent.Html).toMatch(/^<p>Hello \{\{\{v0\}\}\}<\/p>$/);
  const entry = body.BulkEmailEntries[0];
  const i = Number(/reader(\d+)@/.exec(entry?.Destination.ToAddresses[0] ?? "")?.[1]);
  expect(JSON.parse(entry?.ReplacementEmailContent.ReplacementTemplate.ReplacementTemplateData ?? "")).toEqual({
    subject: `Hi N&${i}`,
    v0: `N&amp;${i}`,
  });
  const { entries } = await running.queue.dlq.list();
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ reason: "rejected", attempts: 1, job: { to: "bad5@example.com" } });
  expect(entries[0]?.error).toContain("MESSAGE_REJECTED");
});

it("SendGrid answers 503: the batch goes to SES at once; each recipient sent once, its sender logged", async () => {
  const sendgrid = await standIn({ latencyMs: 5 });
  sendgrid.setFallback("sendgrid", { kind: "status", status: 503 });
  const ses = await standIn({ sesAccessKeyId: "AKIDBATCH", latencyMs: 5 });
  running = await startCampaignWorker(t.redis, {
    EMAIL_PROVIDERS: "sendgrid,ses",
    SENDGRID_API_KEY: "SG.batch",
    SENDGRID_BASE_URL: sendgrid.url,
    SES_REGION: "eu-west-1",
    SES_ENDPOINT: ses.url,
    BREAKER_FAILURES: "1",
    BREAKER_OPEN_MS: "60000",
  });
  const jobIds: string[] = [];
  running.worker.on("completed", (job: { id: string }) => jobIds.push(job.id));
  await queueCampaign(t.redis, 120, (i) => `reader${i}@example.com`);
  await waitFor(() => running?.completed.size === 120, { timeoutMs: 10_000, message: "all sent" });
  expect(running.retried.size).toBe(0);
  expect(sendgrid.stats().accepted).toBe(0);
  expect(ses.stats()).toMatchObject({ accepted: 120, distinct: 120, duplicates: 0 });
  expect(await getMessage(t.redis, jobIds[0] ?? "")).toMatchObject({ status: "sent", provider: "ses" });
  await waitFor(
    async () =>
      (await breakerStates(t.redis)).find((b) => b.provider === "sendgrid" && b.channel === "email")?.state === "open",
    { message: "SendGrid's breaker open" },
  );
});

it("MSG91 Flow: a batch's SMS go as one recipients array; a refused number fails alone", async () => {
  const msg91 = await standIn({ msg91AuthKey: "m91-key", latencyMs: 5, rejectPrefix: "9198765" });
  running = await startCampaignWorker(
    t.redis,
    {
      MSG91_AUTH_KEY: "m91-key",
      MSG91_API: "flow",
      MSG91_FLOW_BASE_URL: msg91.url,
      MSG91_FLOW_TEMPLATES: JSON.stringify({
        order_confirmation: { flowId: "64f0c0ffee", dltTemplateId: "1107161234567890123" },
      }),
    },
    100,
    "sms",
  );
  const jobs = Array.from({ length: 40 }, (_, i) => ({
    type: "order_confirmation",
    to: i === 3 ? "+919876500003" : `+91981100${String(i).padStart(4, "0")}`,
    data: { order_number: `A-${i}` },
  }));
  await running.queue.pushBulk(jobs, { batchId: "orders-1" });
  await waitFor(() => (running?.completed.size ?? 0) + (running?.dead.size ?? 0) === 40, {
    timeoutMs: 10_000,
    message: "all settled",
  });
  expect(running.completed.size).toBe(39);
  expect(msg91.stats()).toMatchObject({ accepted: 39, duplicates: 0 });
  // Far fewer requests than messages, even with the refused request split to find the bad number.
  expect(msg91.stats().requests).toBeLessThan(20);
  const body = msg91.deliveries[0]?.body as {
    template_id: string;
    DLT_TE_ID: string;
    recipients: { mobiles: string }[];
  };
  expect(body).toMatchObject({ template_id: "64f0c0ffee", DLT_TE_ID: "1107161234567890123" });
  expect(body.recipients.length).toBeGreaterThan(1);
  const { entries } = await running.queue.dlq.list();
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ reason: "rejected", job: { to: "+919876500003" } });
});
