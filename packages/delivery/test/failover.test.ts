// Failover end to end: the email worker, built from EMAIL_PROVIDERS=sendgrid,ses exactly as the
// worker process builds it, sends through SendGrid's and SES's official clients to two stand-ins.
// SendGrid's stand-in is stopped mid-run: every job is still sent, exactly once across both
// stand-ins, each job's sender is recorded, and SendGrid's breaker is open in Redis.
import { createRedis, createWorker, type Job, Queue, type RedisConnection, type Worker } from "@notify/queue";
import { breakerStates, EMAIL_QUEUE, getMessage } from "@notify/queue/notifications";
import { ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDeliveryTarget } from "../src/targets.ts";
import { silentLogger } from "./support/silent-logger.ts";

const JOBS = 300;
const STOP_AFTER = 80;

let server: RedisServerHandle;
let redis: RedisConnection;
let worker: Worker | null = null;
// A few milliseconds per reply keeps requests in flight when SendGrid's stand-in goes away.
const sendgrid = new ProviderStandIn({ sendgridApiKey: "SG.good", latencyMs: 5 });
const ses = new ProviderStandIn({ sesAccessKeyId: "AKIDFAILOVER", latencyMs: 5 });
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await Promise.all([sendgrid.start(), ses.start()]);
  // SES credentials come from the AWS SDK's own chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = "AKIDFAILOVER";
  process.env.AWS_SECRET_ACCESS_KEY = "secret";
});
afterAll(async () => {
  process.env = savedEnv;
  await worker?.close({ graceMs: 1_000 });
  redis.disconnect();
  await Promise.all([sendgrid.stop(), ses.stop(), server.stop()]);
});

it("SendGrid's stand-in stops mid-run: SES sends the rest, nothing lost, nothing sent twice", async () => {
  const target = await createDeliveryTarget("email", {
    redis,
    logger: silentLogger,
    env: {
      EMAIL_PROVIDERS: "sendgrid,ses",
      SENDGRID_API_KEY: "SG.good",
      SENDGRID_BASE_URL: sendgrid.url,
      SES_REGION: "eu-west-1",
      SES_ENDPOINT: ses.url,
      PROVIDER_TIMEOUT_MS: "2000",
      BREAKER_FAILURES: "3",
      BREAKER_OPEN_MS: "60000",
    },
  });
  expect(target.queue).toBe(EMAIL_QUEUE);
  const completed = new Set<string>();
  worker = createWorker(target.queue, target.handler, {
    ...target.options,
    connection: redis,
    concurrency: 8,
    backoff: { type: "fixed", delayMs: 20 },
  });
  worker.on("completed", (job: Job) => completed.add(job.id));

  const queue = new Queue(EMAIL_QUEUE, { connection: redis });
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const { id } = await queue.push({ type: "welcome", to: `user${i}@example.com`, data: { user_name: `User ${i}` } });
    ids.push(id);
  }
  await waitFor(() => sendgrid.stats().accepted >= STOP_AFTER, { message: "SendGrid sending" });
  await sendgrid.stop();
  await waitFor(() => completed.size === JOBS, { message: `all ${JOBS} jobs completed`, timeoutMs: 60_000 });

  // Nothing lost, nothing twice: each job at exactly one stand-in, once.
  for (const id of ids) expect(sendgrid.deliveriesOf(id) + ses.deliveriesOf(id), id).toBe(1);
  expect(sendgrid.stats().duplicates + ses.stats().duplicates).toBe(0);
  expect(sendgrid.stats().accepted).toBeGreaterThanOrEqual(STOP_AFTER);
  expect(ses.stats().accepted).toBe(JOBS - sendgrid.stats().accepted);
  const stats = await queue.stats();
  expect(stats.dead).toBe(0);

  // Each job's sender, as the message log records it, is the stand-in that took it.
  for (const id of ids) {
    const logged = await getMessage(redis, id);
    expect(logged?.provider, id).toBe(sendgrid.deliveriesOf(id) === 1 ? "sendgrid" : "ses");
  }
  const breakers = await breakerStates(redis);
  expect(breakers.find((b) => b.provider === "sendgrid")).toMatchObject({
    channel: "email",
    state: "open",
    reason: "failures",
  });
  expect(breakers.find((b) => b.provider === "ses")).toMatchObject({ state: "closed" });
});
