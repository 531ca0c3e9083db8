// The auth matrix over HTTP: no key, a wrong key, a service key (both header forms), the admin token.

import type { NotifyClient } from "@notify/client";
import { createNotifyClient } from "@notify/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { trpcError } from "./support/errors.ts";
import {
  ADMIN_TOKEN,
  type Harness,
  OTHER_SERVICE_KEY,
  SERVICE_KEY,
  startHarness,
  testConfig,
} from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const serviceCalls: [string, (c: NotifyClient) => Promise<unknown>][] = [
  ["email.send", (c) => c.email.send.mutate({ template: "welcome", to: "a@example.com", data: { user_name: "A" } })],
  ["sms.send", (c) => c.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "1234" } })],
  [
    "email.sendBatch",
    (c) =>
      c.email.sendBatch.mutate({
        template: "welcome",
        recipients: [{ to: "b@example.com", data: { user_name: "B" } }],
      }),
  ],
  ["batches.get", (c) => c.batches.get.query({ batchId: "missing" })],
  ["jobs.get", (c) => c.jobs.get.query({ id: "missing" })],
];

const adminCalls: [string, (c: NotifyClient) => Promise<unknown>][] = [
  ["queues.list", (c) => c.queues.list.query()],
  ["queues.overview", (c) => c.queues.overview.query()],
  ["queues.stats", (c) => c.queues.stats.query({ queue: "email" })],
  ["queues.peek", (c) => c.queues.peek.query({ queue: "email" })],
  ["queues.pause", (c) => c.queues.pause.mutate({ queue: "sms" })],
  ["queues.resume", (c) => c.queues.resume.mutate({ queue: "sms" })],
  ["queues.clear", (c) => c.queues.clear.mutate({ queue: "email_events" })],
  ["queues.recentFailures", (c) => c.queues.recentFailures.query({ queue: "email" })],
  ["queues.health", (c) => c.queues.health.query({ queue: "email" })],
  ["queues.report", (c) => c.queues.report.query({ queue: "email" })],
  ["queues.clean", (c) => c.queues.clean.mutate({ queue: "email", graceMs: 0, state: "completed" })],
  ["jobs.search", (c) => c.jobs.search.query({ queue: "email", text: "a@example.com" })],
  ["jobs.list", (c) => c.jobs.list.query({ queue: "email", state: "delayed" })],
  ["batches.list", (c) => c.batches.list.query({})],
  ["dlq.list", (c) => c.dlq.list.query({ queue: "email" })],
  ["dlq.get", (c) => c.dlq.get.query({ queue: "email", id: "x" })],
  ["dlq.retry", (c) => c.dlq.retry.mutate({ queue: "email", id: "x" })],
  ["dlq.retryAll", (c) => c.dlq.retryAll.mutate({ queue: "email" })],
  ["dlq.delete", (c) => c.dlq.delete.mutate({ queue: "email", id: "x" })],
  ["dlq.purge", (c) => c.dlq.purge.mutate({ queue: "email" })],
  ["workers.list", (c) => c.workers.list.query()],
  ["metrics.series", (c) => c.metrics.series.query({ queue: "email" })],
  ["metrics.history", (c) => c.metrics.history.query({ queue: "email" })],
  ["redis.info", (c) => c.redis.info.query()],
  ["schedules.list", (c) => c.schedules.list.query({ queue: "email" })],
  [
    "schedules.create",
    (c) => c.schedules.create.mutate({ queue: "jobs_x", name: "n", cron: "* * * * *", job: { type: "t" } }),
  ],
  ["schedules.delete", (c) => c.schedules.delete.mutate({ queue: "email", name: "none" })],
  ["templates.preview", (c) => c.templates.preview.query({ channel: "sms", template: "otp", data: { otp: "1234" } })],
  ["workers.drain", (c) => c.workers.drain.mutate({ queue: "email", limit: 1 })],
  ["tools.createTestJobs", (c) => c.tools.createTestJobs.mutate({ count: 1 })],
  ["tools.performanceTest", (c) => c.tools.performanceTest.mutate({ jobCount: 1 })],
  ["tools.exportQueue", (c) => c.tools.exportQueue.query({ queue: "email" })],
  ["sessions.create", (c) => c.sessions.create.mutate({ ttlSeconds: 60 })],
  ["sessions.get", (c) => c.sessions.get.query({ id: "A".repeat(43) })],
  ["sessions.revoke", (c) => c.sessions.revoke.mutate({ id: "A".repeat(43) })],
  ["sessions.revokeAll", (c) => c.sessions.revokeAll.mutate()],
  [
    "sessions.loginAttempt",
    (c) => c.sessions.loginAttempt.mutate({ client: "t", limits: { perClient: 5, global: 50, windowSeconds: 60 } }),
  ],
  ["sessions.loginSucceeded", (c) => c.sessions.loginSucceeded.mutate({ client: "t" })],
];

/** Error code of a call, or "OK" when it succeeded. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    return (error as { data?: { code?: string } }).data?.code ?? "NO_CODE";
  }
}

describe("service procedures", () => {
  it.each(
    serviceCalls,
  )("%s: anonymous and wrong keys get UNAUTHORIZED, service and admin get through", async (_, call) => {
    const wrong = createNotifyClient({ url: h.app.url, apiKey: "not-a-key" });
    const headerKey = createNotifyClient({ url: h.app.url, headers: { "x-api-key": OTHER_SERVICE_KEY } });
    expect(await outcome(call(h.anonymous))).toBe("UNAUTHORIZED");
    expect(await outcome(call(wrong))).toBe("UNAUTHORIZED");
    expect(await outcome(call(h.service))).not.toBe("UNAUTHORIZED");
    expect(await outcome(call(headerKey))).not.toBe("UNAUTHORIZED");
    expect(await outcome(call(h.admin))).not.toBe("UNAUTHORIZED");
  });

  it("answers 401 over plain HTTP", async () => {
    const response = await fetch(`${h.app.url}/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ id: "x" }))}`);
    expect(response.status).toBe(401);
  });
});

describe("admin procedures", () => {
  it.each(adminCalls)("%s: only the admin token gets through", async (_, call) => {
    expect(await outcome(call(h.anonymous))).toBe("UNAUTHORIZED");
    expect(await outcome(call(h.service))).toBe("UNAUTHORIZED");
    expect(await outcome(call(h.admin))).not.toBe("UNAUTHORIZED");
  });
});

describe("production", () => {
  it("has no dev tools and no /queue/test", async () => {
    const app = createApp({ redis: h.redis, config: testConfig({ dev: false }) });
    const client = createNotifyClient({
      url: "http://api.test",
      apiKey: ADMIN_TOKEN,
      fetch: async (input, init) => app(new Request(input, init)),
    });
    expect((await trpcError(client.tools.createTestJobs.mutate({ count: 1 }))).code).toBe("NOT_FOUND");
    expect((await app(new Request("http://api.test/queue/test", { method: "POST" }))).status).toBe(404);
    // Service procedures are unaffected.
    const service = createNotifyClient({
      url: "http://api.test",
      apiKey: SERVICE_KEY,
      fetch: async (input, init) => app(new Request(input, init)),
    });
    expect(await outcome(service.jobs.get.query({ id: "x" }))).toBe("NOT_FOUND");
  });
});
