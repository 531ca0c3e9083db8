// OpenTelemetry end to end: the real API and the real email worker (both under Bun) export to a
// local OTLP receiver; one email.send is one trace from the tRPC call through the job to the
// provider's HTTP call.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createNotifyClient } from "@notify/client";
import { OtlpReceiver, ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BunApi, startBunApi } from "./support/bun-process.ts";
import { ADMIN_TOKEN, SERVICE_KEY } from "./support/harness.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const receiver = new OtlpReceiver();
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.trace" });
let redisServer: RedisServerHandle;
let api: BunApi;
let worker: ChildProcess;

beforeAll(async () => {
  redisServer = await startRedisServer();
  await receiver.start();
  await standIn.start();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  api = await startBunApi({ REDIS_URL: redisServer.url, API_KEYS: SERVICE_KEY, ADMIN_TOKEN, NOTIFY_DEV: "1", ...otel });
  worker = spawn(`${ROOT}node_modules/.bin/bun`, [`${ROOT}apps/workers/src/email-worker.ts`], {
    env: {
      PATH: process.env.PATH ?? "",
      REDIS_URL: redisServer.url,
      SENDGRID_API_KEY: "SG.trace",
      SENDGRID_BASE_URL: standIn.url,
      NOTIFY_DEV: "1",
      ...otel,
    },
    stdio: "ignore",
  });
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await once(worker, "exit");
  }
  await api?.stop();
  await standIn.stop();
  await receiver.stop();
  await redisServer?.stop();
});

describe("a traced email", () => {
  it("is one trace: email.send, send email, process email, sendgrid send", async () => {
    const client = createNotifyClient({ url: api.url, apiKey: SERVICE_KEY });
    const { jobId: id } = await client.email.send.mutate({ template: "welcome", to: "ann@example.com", data: {} });
    await waitFor(() => standIn.deliveriesOf(id) === 1, { timeoutMs: 20_000, message: "email sent" });
    // Spans leave in batches every 500 ms; the worker's last ones at the latest when it stops.
    worker.kill("SIGTERM");
    await once(worker, "exit");
    const names = ["email.send", "send email", "process email", "sendgrid send"];
    await waitFor(() => names.every((name) => receiver.spans.some((s) => s.name === name)), {
      timeoutMs: 10_000,
      message: `spans ${names.join(", ")}`,
    }).catch((error: unknown) => {
      throw new Error(`${error}; received ${JSON.stringify(receiver.spans.map((s) => [s.service, s.name]))}`);
    });
    const [call, send, process, provider] = names.map((name) => receiver.spans.find((s) => s.name === name));
    expect(new Set([call, send, process, provider].map((s) => s?.traceId)).size).toBe(1);
    expect(call?.service).toBe("notify-api");
    expect(process?.service).toBe("notify-email-worker");
    expect(send?.parentSpanId).toBe(call?.spanId);
    expect(process?.parentSpanId).toBe(send?.spanId);
    expect(provider?.parentSpanId).toBe(process?.spanId);
    expect(process?.attributes).toMatchObject({ "messaging.message.id": id, "messaging.destination.name": "email" });
  });
});
