// POST /trpc/email.send is answered without tRPC's HTTP layer (http/direct-send.ts). Every answer
// must be the one tRPC gives: each case is sent once that way and once as a tRPC batch of one
// (`?batch=1`, which always goes through tRPC's fetch adapter), and the two answers are compared.
import { queueKeys } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Harness, SERVICE_KEY, startHarness } from "./support/harness.ts";

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
  ];

  for (const [name, input, headers, status] of cases) {
    it(`${name}: the same answer as tRPC's`, async () => {
      const { direct, trpc } = await bothWays(input, headers);
      expect(direct.status).toBe(status);
      expect({ ...direct, body: withoutJobId(direct.body) }).toEqual({ ...trpc, body: withoutJobId(trpc.body) });
    });
  }

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
});
