// POST /trpc/email.send is answered without tRPC's HTTP layer (http/direct-send.ts). Every answer
// must be the one tRPC gives: each case is sent once that way and once as a tRPC batch of one
// (`?batch=1`, which always goes through tRPC's fetch adapter), and the two answers are compared.
import { queueKeys } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Harness, OTHER_SERVICE_KEY, SERVICE_KEY, startHarness } from "./support/harness.ts";

const VIEWER_TOKEN = "viewer-token-for-direct-send";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { adminViewerToken: VIEWER_TOKEN, maxJobBytes: 16 * 1024 } });
});
afterAll(async () => {
  await h?.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  vary: string | null;
  body: unknown;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    body: JSON.parse(text),
  };
}

/** A fresh job id differs between the two sends; everything else must not. */
function withoutJobId(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body).replace(/"jobId":"[^"]+"/g, '"jobId":"*"'));
}

async function bothWays(input: unknown, headers: Record<string, string>): Promise<{ direct: Answer; trpc: Answer }> {
  const base = `${h.app.url}/trpc/email.send`;
  const direct = await post(base, input === undefined ? "" : JSON.stringify(input), headers);
  const batched = await post(`${base}?batch=1`, JSON.stringify({ 0: input }), headers);
  const [first] = batched.body as unknown[];
  return { direct, trpc: { ...batched, body: first } };
}

const json = { "content-type": "application/json" };
const service = { ...json, "x-api-key": SERVICE_KEY };
const welcome = { template: "welcome", to: "direct@example.com", data: { user_name: "D" } };

describe("email.send answered directly", () => {
  const cases: [string, unknown, Record<string, string>, number][] = [
    ["a send", welcome, service, 200],
    ["a send with options", { ...welcome, options: { priority: 2, category: "direct" } }, service, 200],
    [
      "a send with a charset in the content type",
      welcome,
      { ...service, "content-type": "Application/JSON; charset=utf-8" },
      200,
    ],
    ["no API key", welcome, json, 401],
    ["a wrong API key", welcome, { ...json, "x-api-key": "nope" }, 401],
    ["the read-only viewer token", welcome, { ...json, "x-api-key": VIEWER_TOKEN }, 403],
    ["the admin token", welcome, { ...json, "x-api-key": ADMIN_TOKEN }, 200],
    ["a missing recipient", { template: "welcome", data: {} }, service, 400],
    ["an unknown template", { ...welcome, template: "no-such-template" }, service, 400],
    ["a job over MAX_JOB_BYTES", { ...welcome, data: { user_name: "D", blob: "x".repeat(20_000) } }, service, 413],
    ["a null input", null, service, 400],
    ["no input at all", undefined, service, 400],
    ["a Bearer token", welcome, { ...json, authorization: `Bearer ${SERVICE_KEY}` }, 200],
    ["a lower-case bearer token", welcome, { ...json, authorization: `bearer ${SERVICE_KEY}` }, 200],
    ["a Bearer token and a wrong x-api-key", welcome, { ...service, authorization: "Bearer nope" }, 401],
    ["the second tenant's key", welcome, { ...json, "x-api-key": OTHER_SERVICE_KEY }, 200],
    ["the viewer token as a Bearer", welcome, { ...json, authorization: `Bearer ${VIEWER_TOKEN}` }, 403],
    ["the viewer token with a bad input", { to: 1 }, { ...json, "x-api-key": VIEWER_TOKEN }, 403],
    ["no key and a bad input", { to: 1 }, json, 401],
    ["a top-level array", [welcome], service, 400],
    ["a top-level string", "welcome", service, 400],
    ["a top-level number", 7, service, 400],
    ["an unknown option key", { ...welcome, options: { nope: 1 } }, service, 400],
    ["delayMs and runAt both", { ...welcome, options: { delayMs: 10, runAt: Date.now() + 60_000 } }, service, 400],
    ["a delayMs", { ...welcome, options: { delayMs: 60_000 } }, service, 200],
    ["a runAt date", { ...welcome, options: { runAt: "2099-01-01T00:00:00Z" } }, service, 200],
    ["a priority out of range", { ...welcome, options: { priority: 11 } }, service, 400],
    ["quiet hours off", { ...welcome, options: { quietHours: false } }, service, 200],
    ["control characters in the address", { ...welcome, to: "a\u0000\r\n@example.com" }, service, 400],
    ["control characters in data", { ...welcome, data: { user_name: "\u0000\u001f\u2028" } }, service, 200],
    [
      "a job just under MAX_JOB_BYTES",
      { ...welcome, data: { user_name: "D", blob: "x".repeat(14_000) } },
      service,
      200,
    ],
    ["a job just over MAX_JOB_BYTES", { ...welcome, data: { user_name: "D", blob: "x".repeat(14_300) } }, service, 413],
    [
      "a multi-byte job over MAX_JOB_BYTES",
      { ...welcome, data: { user_name: "D", blob: "\u00e9".repeat(7_200) } },
      service,
      413,
    ],
  ];

  for (const [name, input, headers, status] of cases) {
    it(`${name}: the same answer as tRPC's`, async () => {
      const { direct, trpc } = await bothWays(input, headers);
      expect(direct.status).toBe(status);
      expect({ ...direct, body: withoutJobId(direct.body) }).toEqual({ ...trpc, body: withoutJobId(trpc.body) });
    });
  }

  /** The same bytes to the direct path and (a query string) to tRPC's own path. */
  async function rawBoth(body: string | (() => BodyInit), headers: Record<string, string>) {
    const url = `${h.app.url}/trpc/email.send`;
    const one = async (target: string): Promise<Answer> => {
      const init: RequestInit & { duplex?: string } = { method: "POST", headers };
      init.body = typeof body === "string" ? body : body();
      if (typeof body !== "string") init.duplex = "half";
      const response = await fetch(target, init);
      const text = await response.text();
      return {
        status: response.status,
        contentType: response.headers.get("content-type"),
        vary: response.headers.get("vary"),
        body: withoutJobId(JSON.parse(text)),
      };
    };
    return { direct: await one(url), trpc: await one(`${url}?via=trpc`) };
  }

  const w = JSON.stringify(welcome);
  const deepData = (levels: number) =>
    `{"template":"welcome","to":"a@example.com","data":${'{"a":'.repeat(levels)}1${"}".repeat(levels)}}`;
  const chunked = (text: string) => () =>
    new ReadableStream({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        const size = bytes.length > 100_000 ? 65_536 : 7;
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
        controller.close();
      },
    });
  const rawCases: [string, string | (() => BodyInit), Record<string, string>, number][] = [
    ["asks for a JSONL stream (accept)", w, { ...service, accept: "application/jsonl" }, 400],
    ["asks for a JSONL stream among others", w, { ...service, accept: "text/html, application/jsonl" }, 400],
    ["asks for trpc-accept JSON", w, { ...service, "trpc-accept": "application/json" }, 200],
    ["a UTF-8 BOM", `\ufeff${w}`, service, 200],
    ["whitespace around the JSON", `  \n${w}\n  `, service, 200],
    ["only whitespace", "   ", service, 400],
    ["duplicate keys", `{"template":"welcome","to":"nope","to":"dup@example.com"}`, service, 200],
    ["escaped keys", `{"t\\u0065mplate":"welcome","to":"esc@example.com"}`, service, 200],
    ["a __proto__ key", `{"__proto__":{"to":"x@example.com"},"template":"welcome","to":"p@example.com"}`, service, 200],
    [
      "a __proto__ in data",
      `{"template":"welcome","to":"p@example.com","data":{"__proto__":{"a":1},"constructor":1}}`,
      service,
      200,
    ],
    ["a constructor key", `{"constructor":{"prototype":1},"template":"welcome","to":"c@example.com"}`, service, 200],
    ["1e400 as a priority", `{"template":"welcome","to":"n@example.com","options":{"priority":1e400}}`, service, 400],
    ["-0 as a delay", `{"template":"welcome","to":"n@example.com","options":{"delayMs":-0}}`, service, 200],
    ["application/json-seq", w, { ...service, "content-type": "application/json-seq" }, 415],
    ["no content type", w, { "x-api-key": SERVICE_KEY }, 415],
    ["a chunked body", chunked(w), service, 200],
    ["a chunked body with a BOM", chunked(`\ufeff${w}`), service, 200],
    ["a chunked body nested too deep", chunked(deepData(200)), service, 400],
    ["data nested just under the depth limit", deepData(30), service, 200],
    [
      "a body over the request limit",
      `{"template":"welcome","to":"b@example.com","data":{"x":"${"x".repeat(8 * 1024 * 1024)}"}}`,
      service,
      413,
    ],
    ["a chunked body over the request limit", chunked(`{"x":"${"x".repeat(8 * 1024 * 1024)}"}`), service, 413],
  ];
  for (const [name, body, headers, status] of rawCases) {
    it(`${name}: the same answer as tRPC's own path`, async () => {
      const { direct, trpc } = await rawBoth(body, headers);
      expect(direct.status).toBe(status);
      expect(direct).toEqual(trpc);
    });
  }

  it("queues nothing for a send tRPC refuses to stream", async () => {
    const to = "jsonl@example.com";
    await rawBoth(JSON.stringify({ ...welcome, to }), { ...service, accept: "application/jsonl" });
    const waiting = await h.redis.lrange(queueKeys(EMAIL_QUEUE).pending, 0, -1);
    expect(waiting.filter((raw) => (JSON.parse(raw) as { to: string }).to === to)).toEqual([]);
  });

  it("keeps idempotency keys per tenant on both paths", async () => {
    const input = { ...welcome, options: { idempotencyKey: "direct-tenant" } };
    const mine = await bothWays(input, service);
    const theirs = await bothWays(input, { ...json, "x-api-key": OTHER_SERVICE_KEY });
    const data = (a: Answer) => (a.body as { result: { data: { jobId: string; duplicate: boolean } } }).result.data;
    expect([data(mine.direct).duplicate, data(mine.trpc).duplicate]).toEqual([false, true]);
    expect([data(theirs.direct).duplicate, data(theirs.trpc).duplicate]).toEqual([false, true]);
    expect(data(theirs.direct).jobId).not.toBe(data(mine.direct).jobId);
  });

  it("shares idempotency with the tRPC path: the second send of a key is the first one's job", async () => {
    const { direct, trpc } = await bothWays({ ...welcome, options: { idempotencyKey: "direct-1" } }, service);
    const [first, second] = [direct, trpc].map(
      (a) => (a.body as { result: { data: { jobId: string; duplicate: boolean } } }).result.data,
    );
    expect(first?.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
  });

  it("queues the job it answers for", async () => {
    const { direct } = await bothWays({ ...welcome, to: "queued@example.com" }, service);
    const jobId = (direct.body as { result: { data: { jobId: string } } }).result.data.jobId;
    const waiting = await h.redis.lrange(queueKeys(EMAIL_QUEUE).pending, 0, -1);
    const job = waiting.map((raw) => JSON.parse(raw) as { id: string; to: string }).find((j) => j.id === jobId);
    expect(job?.to).toBe("queued@example.com");
  });

  it("leaves what is not plain JSON to tRPC, with the body it read handed on intact", async () => {
    const url = `${h.app.url}/trpc/email.send`;
    const deep = `{"template":"welcome","to":"a@example.com","data":${'{"a":'.repeat(200)}1${"}".repeat(200)}}`;
    const text = { "x-api-key": SERVICE_KEY, "content-type": "text/plain" };
    for (const [body, headers, status] of [
      ["{not json", service, 400],
      [JSON.stringify(welcome), text, 415],
      [deep, service, 400],
    ] as const) {
      const answer = async (target: string) => {
        const response = await fetch(target, { method: "POST", headers, body });
        return { status: response.status, body: withoutJobId(await response.json()) };
      };
      // A query string always takes tRPC's own path.
      const [fallback, plain] = await Promise.all([answer(url), answer(`${url}?via=trpc`)]);
      expect(fallback.status).toBe(status);
      expect(fallback).toEqual(plain);
    }
  });

  it("answers 503 both ways while Redis is down, and 400 for a bad input", async () => {
    await h.redisServer.stopProcess("SIGTERM");
    try {
      const down = await bothWays({ ...welcome, to: "down@example.com" }, service);
      expect(down.direct.status).toBe(503);
      expect(down.direct).toEqual(down.trpc);
      const bad = await bothWays({ ...welcome, to: "nope" }, service);
      expect(bad.direct.status).toBe(400);
      expect(bad.direct).toEqual(bad.trpc);
    } finally {
      await h.redisServer.startProcess();
    }
  });
});
