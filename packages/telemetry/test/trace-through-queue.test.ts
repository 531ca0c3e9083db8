// One trace from an enqueue to the handler and the provider call inside it, sent over OTLP/HTTP to
// a real local receiver; and nothing at all when no endpoint is configured.
import { createRedis, createWorker, Queue, type RedisConnection } from "@notify/queue";
import { OtlpReceiver, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { SpanKind, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTracing, tracesEndpoint } from "../src/index.ts";

let server: RedisServerHandle;
let redis: RedisConnection;
const receiver = new OtlpReceiver();

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url);
  await receiver.start();
});
afterAll(async () => {
  redis.disconnect();
  await receiver.stop();
  await server.stop();
});

describe("tracing", () => {
  it("is off, and jobs carry no trace, without an OTLP endpoint", async () => {
    expect(startTracing({ serviceName: "test", env: {} })).toBeNull();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe(
      "http://collector:4318/v1/traces",
    );
    const queue = new Queue("untraced", { connection: redis });
    const { id } = await queue.push({ type: "x" });
    expect((await queue.getJob(id))?.job?.trace).toBeUndefined();
  });

  it("carries the enqueue's trace through the job to the handler and its provider call", async () => {
    const tracing = startTracing({ serviceName: "notify-test", env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    expect(tracing).not.toBeNull();
    const tracer = trace.getTracer("test");
    const queue = new Queue("traced", { connection: redis });
    const handled: string[] = [];
    const worker = createWorker(
      "traced",
      async (job) => {
        // What a delivery handler does around its provider's HTTP call.
        await tracer.startActiveSpan("POST sendgrid", { kind: SpanKind.CLIENT }, async (span) => {
          handled.push(job.id);
          span.end();
        });
      },
      { connection: redis.duplicate() },
    );
    const id = await tracer.startActiveSpan("email.send", { kind: SpanKind.SERVER }, async (span) => {
      const pushed = await queue.push({ type: "welcome", to: "ann@example.com" });
      span.end();
      return pushed.id;
    });
    await waitFor(() => handled.includes(id), { message: "job handled" });
    await worker.close();
    await tracing?.shutdown();
    await waitFor(() => receiver.spans.length >= 4, { message: "spans exported" });
    const byName = Object.fromEntries(receiver.spans.map((s) => [s.name, s]));
    const api = byName["email.send"];
    const send = byName["send traced"];
    const process = byName["process traced"];
    const provider = byName["POST sendgrid"];
    expect(new Set([api, send, process, provider].map((s) => s?.traceId)).size).toBe(1);
    expect(send).toMatchObject({ kind: SpanKind.PRODUCER + 1, parentSpanId: api?.spanId, service: "notify-test" });
    expect(send?.attributes).toMatchObject({ "messaging.system": "redis", "messaging.destination.name": "traced" });
    expect(process).toMatchObject({ kind: SpanKind.CONSUMER + 1, parentSpanId: send?.spanId });
    expect(process?.attributes).toMatchObject({ "messaging.message.id": id, "messaging.operation.type": "process" });
    expect(provider?.parentSpanId).toBe(process?.spanId);
  });
});
