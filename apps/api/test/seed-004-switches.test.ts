// Seed 004's leftovers through the API: EMAIL_ENABLED / SMS_ENABLED switch a channel off (its
// enqueues and drains are refused, nothing is queued), dead letters are retried by index as
// retry_dead_letter_job(queue, index), and DLQ_ALERT_THRESHOLD flags a queue in /health and /metrics.
import { drain, PermanentError, Queue } from "@notify/queue";
import { EMAIL_QUEUE, SMS_QUEUE } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "../src/config.ts";
import { trpcError } from "./support/errors.ts";
import { type Harness, SERVICE_KEY, startHarness } from "./support/harness.ts";

let off: Harness;
let on: Harness;
beforeAll(async () => {
  [off, on] = await Promise.all([
    startHarness({ config: { emailEnabled: false, smsEnabled: false } }),
    startHarness({ config: { dlqAlertThreshold: 2 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([off?.close(), on?.close()]);
});

/** Dead-letters one job per label, oldest first, through a drain whose handler refuses them. */
async function deadLetters(h: Harness, queue: string, labels: string[]): Promise<string[]> {
  const { ids } = await new Queue(queue, { connection: h.redis }).pushBulk(
    labels.map((label) => ({ type: "welcome", data: { label } })),
  );
  await drain(
    queue,
    async (job) => {
      throw new PermanentError(`refused ${String(job.data.label)}`);
    },
    { connection: h.redis, limit: labels.length, concurrency: 1 },
  );
  return ids;
}

describe("EMAIL_ENABLED / SMS_ENABLED", () => {
  it("are read from the environment, on by default", () => {
    expect(configFromEnv({ NODE_ENV: "test" })).toMatchObject({ emailEnabled: true, smsEnabled: true });
    expect(configFromEnv({ NODE_ENV: "test", EMAIL_ENABLED: "false", SMS_ENABLED: "off" })).toMatchObject({
      emailEnabled: false,
      smsEnabled: false,
    });
    expect(() => configFromEnv({ NODE_ENV: "test", EMAIL_ENABLED: "maybe" })).toThrow(/EMAIL_ENABLED/);
  });

  it("off: email.send, email.sendBatch, sms.send, workers.drain and /queue/test refuse, and nothing is queued", async () => {
    const refused = [
      off.service.email.send.mutate({ template: "welcome", to: "a@example.com", data: {} }),
      off.service.email.sendBatch.mutate({ template: "welcome", recipients: [{ to: "a@example.com" }] }),
      off.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "1234" } }),
      off.admin.workers.drain.mutate({ queue: EMAIL_QUEUE, limit: 1 }),
    ];
    for (const call of refused) {
      const error = await trpcError(call);
      expect(error.code).toBe("PRECONDITION_FAILED");
      expect(error.message).toMatch(/(EMAIL|SMS)_ENABLED=false/);
    }
    const queueTest = await fetch(`${off.app.url}/queue/test`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE_KEY },
    });
    expect(queueTest.status).toBe(409);
    for (const name of [EMAIL_QUEUE, SMS_QUEUE])
      expect((await new Queue(name, { connection: off.redis }).stats()).pending).toBe(0);
  });
});

describe("dead letters", () => {
  it("dlq.retryAt retries the entry at an index of dlq.list, 0 = newest", async () => {
    const ids = await deadLetters(on, "retry-index", ["a", "b", "c"]);
    const listed = await on.admin.dlq.list.query({ queue: "retry-index" });
    expect(listed.entries.map((e) => e.id)).toEqual([...ids].reverse());
    expect(await on.admin.dlq.retryAt.mutate({ queue: "retry-index", index: 2 })).toEqual({
      retried: true,
      id: ids[0],
    });
    expect((await trpcError(on.admin.dlq.retryAt.mutate({ queue: "retry-index", index: 5 }))).code).toBe("NOT_FOUND");
    expect((await trpcError(on.service.dlq.retryAt.mutate({ queue: "retry-index", index: 0 }))).code).toBe(
      "UNAUTHORIZED",
    );
    expect((await on.admin.dlq.list.query({ queue: "retry-index" })).total).toBe(2);
  });

  it("a queue over DLQ_ALERT_THRESHOLD is flagged in /health (200, a warning), /metrics and queues.deadLetterAlerts", async () => {
    await deadLetters(on, "alerting", ["1", "2", "3"]);
    await deadLetters(on, "quiet", ["1", "2"]);
    const health = await fetch(`${on.app.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as {
      status: string;
      deadLetters: { threshold: number; over: Record<string, number> };
      warnings: string[];
    };
    // An alert, not an outage: the queue's health is a warning (its dead letters), the check passes.
    expect(body.status).toBe("warn");
    expect(body.deadLetters).toEqual({ threshold: 2, over: { alerting: 3 } });
    expect(body.warnings).toContainEqual(
      expect.stringMatching(/alerting holds 3 dead letters, over DLQ_ALERT_THRESHOLD=2/),
    );
    const metrics = await (await fetch(`${on.app.url}/metrics`)).text();
    expect(metrics).toContain('notify_dead_letter_alert{queue="alerting"} 1');
    expect(metrics).toContain('notify_dead_letter_alert{queue="quiet"} 0');
    expect(metrics).toContain("notify_dead_letter_alert_threshold 2");
    expect(await on.admin.queues.deadLetterAlerts.query()).toEqual({
      threshold: 2,
      over: [{ queue: "alerting", dead: 3 }],
    });
  });
});
