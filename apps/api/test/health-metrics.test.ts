// GET /health and GET /metrics against real workers and real queue numbers.
import { createWorker } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, testRedis } from "./support/harness.ts";

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
      expect(body).toEqual({ status: "ok", redis: "up", workers: { sms: 1 } });
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
});

describe("POST /queue/test (development)", () => {
  it("queues a test batch and answers with its id", async () => {
    const response = await fetch(`${h.app.url}/queue/test`, { method: "POST" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queued: boolean; batch_id: string };
    expect(body.queued).toBe(true);
    expect((await h.service.batches.get.query({ batchId: body.batch_id })).total).toBe(2);
  });
});
