// The REST face of the procedures an outside caller needs: an OpenAPI document generated from
// their zod schemas, and plain HTTP calls (as Python, Go or curl would make them) that go through
// the same auth, tenancy, validation and bounds as tRPC.
import { drain, PermanentError, Queue } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Harness, OTHER_SERVICE_KEY, SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, key: string | null = SERVICE_KEY) =>
  fetch(`${h.app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });

const get = (path: string, key: string | null = SERVICE_KEY) =>
  fetch(`${h.app.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

/** The JSON body of a 200 answer, or a failure naming what came back instead. */
async function ok<T>(response: Promise<Response>): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  expect(answer.status, text).toBe(200);
  return JSON.parse(text) as T;
}

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  tags?: string[];
}

describe("OpenAPI", () => {
  it("documents every procedure an outside caller needs, with REST paths, schemas and bearer auth", async () => {
    const response = await fetch(`${h.app.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      "GET /analytics/campaigns/{campaignId}",
      "GET /batches/{batchId}",
      "GET /batches/{batchId}/events",
      "GET /jobs/{id}",
      "GET /queues/{queue}/dead-letters",
      "GET /queues/{queue}/stats",
      "POST /email/batches",
      "POST /email/send",
      "POST /queues/{queue}/dead-letters/{id}/retry",
      "POST /sms/send",
    ]);
    const schema = JSON.stringify(doc.paths["/email/send"]?.post?.requestBody?.content["application/json"]?.schema);
    for (const field of ["template", "to", "data", "welcome"]) expect(schema).toContain(field);
    const answer = (path: string, method = "get") =>
      JSON.stringify(doc.paths[path]?.[method]?.responses["200"]?.content?.["application/json"]?.schema);
    // A job's status documents the envelope it carries, though the envelope is passed on as stored.
    for (const field of ["state", "attempts", "lastError", "dead", "idempotencyKey", "maxAttempts"])
      expect(answer("/jobs/{id}")).toContain(field);
    for (const field of ["sent", "pending", "opened", "bounced"]) expect(answer("/batches/{batchId}")).toContain(field);
    for (const field of ["complete", "uniqueOpens", "openRate", "bounceRate"])
      expect(answer("/analytics/campaigns/{campaignId}")).toContain(field);
    for (const field of ["processed", "awaitingRecovery", "lateAcks"])
      expect(answer("/queues/{queue}/stats")).toContain(field);
    for (const field of ["entries", "reason", "failedAt", "entry"])
      expect(answer("/queues/{queue}/dead-letters")).toContain(field);
    expect(doc.paths["/jobs/{id}"]?.get?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      "path:id",
      "query:queue",
    ]);
    expect(doc.paths["/queues/{queue}/stats"]?.get?.tags).toEqual(["admin"]);
    expect(doc.components.securitySchemes).toHaveProperty("Authorization");
  });

  it("sends an email and an OTP over plain HTTP, and refuses bad input and a missing key", async () => {
    const email = await post("/api/email/send", {
      template: "welcome",
      to: "ann@example.com",
      data: { user_name: "Ann" },
    });
    expect(email.status).toBe(200);
    const sent = (await email.json()) as { queue: string; jobId: string; duplicate: boolean };
    expect(sent).toMatchObject({ queue: "email", duplicate: false });
    expect((await h.service.jobs.get.query({ id: sent.jobId })).job).toMatchObject({ to: "ann@example.com" });

    const otp = await post("/api/sms/send", { template: "otp", to: "+919876543210", data: { otp: "482913" } });
    expect(otp.status).toBe(200);
    expect(await otp.json()).toMatchObject({ queue: "sms", urgent: true });

    const bad = await post("/api/email/send", { template: "welcome", to: "not-an-address" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("to");
    const anonymous = await post("/api/email/send", { template: "welcome", to: "a@example.com" }, null);
    expect(anonymous.status).toBe(401);
    const deep = await post("/api/email/send", { template: "welcome", to: "a@example.com", data: nested(500) });
    expect(deep.status).toBe(400);
  });

  it("follows a job and a batch over plain HTTP, and keeps another tenant's out", async () => {
    const sent = await ok<{ jobId: string }>(
      post("/api/email/send", { template: "welcome", to: "bo@example.com", data: { user_name: "Bo" } }),
    );
    const status = await ok<{ state: string; attempts: number; job: { to: string } }>(get(`/api/jobs/${sent.jobId}`));
    expect(status).toMatchObject({ state: "pending", attempts: 0, job: { to: "bo@example.com" } });
    const sms = await ok<{ jobId: string }>(
      post("/api/sms/send", { template: "otp", to: "+919876543210", data: { otp: "482913" } }),
    );
    expect(await ok(get(`/api/jobs/${encodeURIComponent(sms.jobId)}?queue=sms`))).toMatchObject({ queue: "sms" });

    const campaign = await ok<{ batchId: string }>(
      post("/api/email/batches", {
        template: "welcome",
        recipients: [{ to: "c1@example.com" }, { to: "c2@example.com" }],
        data: { user_name: "C" },
      }),
    );
    expect(await ok(get(`/api/batches/${campaign.batchId}`))).toMatchObject({
      batchId: campaign.batchId,
      total: 2,
      sent: 0,
      pending: 2,
      opened: 0,
    });
    expect(await ok(get(`/api/batches/${campaign.batchId}/events`))).toMatchObject({ delivered: 0, uniqueOpens: 0 });

    expect((await get(`/api/jobs/no-such-job`)).status).toBe(404);
    expect((await get(`/api/jobs/${sent.jobId}`, OTHER_SERVICE_KEY)).status).toBe(404);
    expect((await get(`/api/batches/${campaign.batchId}`, OTHER_SERVICE_KEY)).status).toBe(404);
    expect((await get(`/api/jobs/${sent.jobId}`, null)).status).toBe(401);
    expect((await get(`/api/jobs/${sent.jobId}?queue=${encodeURIComponent("bad name!")}`)).status).toBe(400);
  });

  it("reads queue stats and lists and retries dead letters over plain HTTP with the admin token only", async () => {
    const name = "rest_dead_letters";
    const queue = new Queue(name, { connection: h.redis });
    await queue.push({ type: "report", data: { n: 1 } }, { id: "rest-dead-1" });
    const drained = await drain(
      name,
      async () => {
        throw new PermanentError("the report has no data");
      },
      { connection: h.redis, limit: 10 },
    );
    expect(drained).toMatchObject({ deadLettered: 1 });

    expect((await get(`/api/queues/${name}/stats`)).status).toBe(401);
    expect(await ok(get(`/api/queues/${name}/stats`, ADMIN_TOKEN))).toMatchObject({ name, pending: 0, dead: 1 });
    const page = await ok<{ total: number; entries: { id: string; reason: string; error: string; job: unknown }[] }>(
      get(`/api/queues/${name}/dead-letters?limit=10`, ADMIN_TOKEN),
    );
    expect(page.total).toBe(1);
    expect(page.entries[0]).toMatchObject({
      id: "rest-dead-1",
      reason: "failed",
      error: expect.stringContaining("no data"),
      job: { type: "report", data: { n: 1 } },
    });
    expect((await get(`/api/queues/${name}/dead-letters?limit=0`, ADMIN_TOKEN)).status).toBe(400);

    expect((await post(`/api/queues/${name}/dead-letters/rest-dead-1/retry`, {})).status).toBe(401);
    expect(await ok(post(`/api/queues/${name}/dead-letters/rest-dead-1/retry`, {}, ADMIN_TOKEN))).toEqual({
      retried: true,
    });
    expect(await ok(get(`/api/queues/${name}/stats`, ADMIN_TOKEN))).toMatchObject({ pending: 1, dead: 0 });
    expect((await post(`/api/queues/${name}/dead-letters/rest-dead-1/retry`, {}, ADMIN_TOKEN)).status).toBe(404);
  });

  it("passes on a dead letter another tool wrote, whatever its shape, instead of failing the page", async () => {
    const name = "rest_foreign_dead";
    const queue = new Queue(name, { connection: h.redis });
    await queue.push({ type: "report" });
    await h.redis.lpush(queue.keys.dlq, '{"note":"written by hand"}', "not json");
    const page = await ok<{ total: number; entries: Record<string, unknown>[] }>(
      get(`/api/queues/${name}/dead-letters`, ADMIN_TOKEN),
    );
    expect(page.total).toBe(2);
    expect(page.entries.map((entry) => entry.entry)).toEqual(["not json", '{"note":"written by hand"}']);
  });
});

function nested(levels: number): unknown {
  let value: unknown = "x";
  for (let i = 0; i < levels; i++) value = { v: value };
  return value;
}
