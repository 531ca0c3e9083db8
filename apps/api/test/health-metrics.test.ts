// GET /health and GET /metrics against real workers and real queue numbers.
import { createWorker } from "@notify/queue";
import { recordEmailEvent, recordNewUser, reportBreakerState } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, SERVICE_KEY, startHarness, testRedis } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { healthRequireWorkers: true } });
});
afterAll(async () => {
  await h?.close();
});

describe("GET /health", () => {
  it("is 503 without live workers and 200 once one holds a lease", async () => {
    const before = await fetch(`${h.app.url}/health`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: "fail", redis: "up", reason: "no live workers" });

    const connection = testRedis(h.redisServer.url);
    const worker = createWorker("sms", async () => {}, { connection });
    try {
      const body = await waitFor(async () => {
        const response = await fetch(`${h.app.url}/health`);
        return response.status === 200 ? response.json() : null;
      });
      expect(body).toMatchObject({
        status: "ok",
        redis: "up",
        maxmemoryPolicy: "noeviction",
        workers: { sms: 1 },
        deadLetters: { threshold: 100, over: {} },
      });
      expect(body.queues.sms).toEqual({ status: "ok", reasons: [] });
    } finally {
      await worker.close({ graceMs: 1_000 });
      connection.disconnect();
    }
  });
});

describe("GET /metrics", () => {
  it("exposes queue depths, totals and latency histograms in Prometheus text", async () => {
    await h.service.email.send.mutate({ template: "welcome", to: "m@example.com", data: { user_name: "M" } });
    await h.service.email.send.mutate({
      template: "welcome",
      to: "n@example.com",
      data: { user_name: "N" },
      options: { delayMs: 60_000 },
    });
    const response = await fetch(`${h.app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^notify_queue_jobs\{queue="email",state="pending"\} 1$/m);
    expect(text).toMatch(/^notify_queue_jobs\{queue="email",state="delayed"\} 1$/m);
    expect(text).toMatch(/^notify_queue_processed_total\{queue="sms"\} \d+$/m);
    expect(text).toMatch(/^notify_queue_dead_lettered_total\{queue="email"\} 0$/m);
    expect(text).toMatch(/^notify_redis_up 1$/m);
    expect(text).toMatch(/^notify_enqueue_duration_seconds_count\{queue="email"\} 2$/m);
    expect(text).toMatch(/^notify_http_request_duration_seconds_count\{route="trpc",method="POST",status="200"\} 2$/m);
    expect(text).toMatch(/^notify_api_process_cpu_seconds_total/m);
  });

  it("exposes the email events counted by type and seed 000's new users", async () => {
    const connection = testRedis(h.redisServer.url);
    try {
      const at = Date.now();
      await recordEmailEvent(
        connection,
        { type: "EMAIL_OPENED", data: { recipient: "a@example.com", timestamp: at } },
        "m-1",
      );
      await recordEmailEvent(
        connection,
        { type: "EMAIL_OPENED", data: { recipient: "b@example.com", timestamp: at } },
        "m-2",
      );
      await recordEmailEvent(
        connection,
        { type: "EMAIL_CLICKED", data: { recipient: "a@example.com", timestamp: at } },
        "m-3",
      );
      await recordNewUser(connection, { email: "new@example.com", group: "newsletter", at });
    } finally {
      connection.disconnect();
    }
    const text = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(text).toMatch(/^notify_email_events_total\{type="EMAIL_OPENED"\} 2$/m);
    expect(text).toMatch(/^notify_email_events_total\{type="EMAIL_CLICKED"\} 1$/m);
    expect(text).toMatch(/^notify_email_events_total\{type="EMAIL_DELIVERED"\} 0$/m);
    expect(text).toMatch(/^notify_email_event_new_users_total\{outcome="added"\} 1$/m);
  });
});

describe("provider circuit breakers", () => {
  it("shows each provider's breaker as the workers reported it, in /metrics and workers.providers", async () => {
    const connection = testRedis(h.redisServer.url);
    try {
      const at = Date.now();
      await reportBreakerState(connection, {
        channel: "email",
        provider: "sendgrid",
        state: "open",
        reason: "credentials",
        failures: 0,
        lastError: "sendgrid rejected the credentials (401)",
        retryAt: at + 300_000,
        updatedAt: at,
      });
      await reportBreakerState(connection, {
        channel: "email",
        provider: "ses",
        state: "closed",
        failures: 0,
        updatedAt: at,
      });
    } finally {
      connection.disconnect();
    }
    const text = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(text).toMatch(/^notify_provider_breaker_state\{channel="email",provider="sendgrid",state="open"\} 1$/m);
    expect(text).toMatch(/^notify_provider_breaker_state\{channel="email",provider="sendgrid",state="closed"\} 0$/m);
    expect(text).toMatch(/^notify_provider_breaker_state\{channel="email",provider="ses",state="closed"\} 1$/m);
    expect(text).toMatch(/^notify_provider_credentials_rejected\{channel="email",provider="sendgrid"\} 1$/m);
    expect(text).toMatch(/^notify_provider_credentials_rejected\{channel="email",provider="ses"\} 0$/m);
    const providers = await h.admin.workers.providers.query();
    expect(providers.map((p) => `${p.provider}:${p.state}`)).toEqual(["sendgrid:open", "ses:closed"]);
  });
});

describe("GET /live and GET /ready", () => {
  it("are separate: live is the process, ready is Redis reachable with memory for writes", async () => {
    expect(await (await fetch(`${h.app.url}/live`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${h.app.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", redis: "up", maxmemoryPolicy: "noeviction" });
  });
});

describe("metric names", () => {
  it("follow Prometheus naming: _total counters, _seconds histograms, no per-recipient labels", async () => {
    await h.service.email.send.mutate({ template: "welcome", to: "label@example.com", data: { user_name: "L" } });
    const text = await (await fetch(`${h.app.url}/metrics`)).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    const ours = types.filter((t) => t.name?.startsWith("notify_") && !t.name.startsWith("notify_api_"));
    expect(ours.length).toBeGreaterThan(5);
    for (const { name, type } of ours) {
      if (type === "counter") expect(name).toMatch(/_total$/);
      if (type === "histogram") expect(name).toMatch(/_seconds$/);
      if (type === "gauge") expect(name).not.toMatch(/_total$/);
    }
    expect(text).not.toContain("label@example.com");
    const labels = new Set([...text.matchAll(/[{,](\w+)="/g)].map(([, label]) => label));
    for (const label of labels)
      expect([
        "route",
        "method",
        "status",
        "queue",
        "state",
        "kind",
        "outcome",
        "provider",
        "channel",
        "le",
        "version",
        "major",
        "minor",
        "patch",
        "type",
        "space",
      ]).toContain(label);
    expect(text).toMatch(/^notify_redis_evicting_policy 0$/m);
  });
});

describe("POST /queue/test (development)", () => {
  it("queues a test batch and answers with its id", async () => {
    const response = await fetch(`${h.app.url}/queue/test`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE_KEY },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queued: boolean; batch_id: string };
    expect(body.queued).toBe(true);
    expect((await h.service.batches.get.query({ batchId: body.batch_id })).total).toBe(2);
  });
});
