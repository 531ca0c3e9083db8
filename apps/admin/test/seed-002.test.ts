// Seed 002 in the admin, on the real stack (API in development mode, real email worker): dev
// tools' test jobs land on the email queue and that worker delivers them; the export downloads
// the queue's jobs as masked JSON lines; the overview shows each queue's health with its reasons;
// a campaign composed on the campaigns page is delivered and its progress shown.
import { createRedis, Queue } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetAdminEnv } from "../app/lib/env.server.ts";
import { loader as overviewLoader } from "../app/routes/_index.tsx";
import { action as campaignAction, loader as campaignLoader } from "../app/routes/campaigns.tsx";
import { action as devAction } from "../app/routes/dev-tools.tsx";
import { loader as exportLoader } from "../app/routes/dev-tools_.export.tsx";
import { get, loginCookie, post } from "./support/requests.ts";
import { ADMIN_PASSWORD, ADMIN_TOKEN, SESSION_SECRET, type Stack, startStack } from "./support/stack.ts";

let stack: Stack;
let cookie: string;
const ctx = { context: {} };

beforeAll(async () => {
  stack = await startStack({ worker: true });
  Object.assign(process.env, { API_URL: stack.apiUrl, ADMIN_TOKEN, ADMIN_PASSWORD, SESSION_SECRET });
  resetAdminEnv();
  cookie = await loginCookie(ADMIN_PASSWORD);
});

afterAll(async () => {
  await stack?.stop();
  resetAdminEnv();
});

describe("dev tools", () => {
  it("creates test jobs on the email queue by default, and the email worker delivers them", async () => {
    const before = (await stack.api.queues.stats.query({ queue: "email" })).processed;
    const result = await devAction({
      request: post("/dev-tools", { intent: "create-test-jobs", count: "3" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Created 3 test jobs in email") });
    await waitFor(async () => (await stack.api.queues.stats.query({ queue: "email" })).processed >= before + 3, {
      message: "the email worker delivered the test jobs",
    });
    expect((await stack.api.queues.stats.query({ queue: "email" })).dead).toBe(0);
  });

  it("exports a queue's jobs as masked JSON lines", async () => {
    const redis = createRedis(stack.redis.url);
    try {
      const queue = new Queue("export_me", { connection: redis });
      await queue.push({ type: "test", to: "secret.person@example.com", data: { n: 1 } });
      await queue.push({ type: "test", data: { n: 2 } });
    } finally {
      redis.disconnect();
    }
    const response = await exportLoader({
      request: get("/dev-tools/export?queue=export_me", cookie),
      params: {},
      ...ctx,
    });
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="export_me-export.jsonl"');
    expect(response.headers.get("x-export-truncated")).toBe("0");
    const text = await response.text();
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.state, l.job.data.n])).toEqual([
      ["pending", 1],
      ["pending", 2],
    ]);
    expect(text).not.toContain("secret.person@example.com");
    const bad = await exportLoader({ request: get("/dev-tools/export?queue=../x", cookie), params: {}, ...ctx }).catch(
      (thrown: unknown) => thrown,
    );
    expect(bad).toBeInstanceOf(Response);
    expect((bad as Response).status).toBe(400);
  });

  it("shows each queue's health with its reasons on the overview", async () => {
    const redis = createRedis(stack.redis.url);
    try {
      // An hour-old waiting job (the stack's API runs with HEALTH_REQUIRE_WORKERS=false, as a
      // drain deployment would, so the age is what makes this queue critical).
      const queue = new Queue("stale", { connection: redis });
      await queue.push({ type: "x" });
      await redis.rpush(
        queue.keys.pending,
        JSON.stringify({ id: "old", type: "x", data: {}, createdAt: Date.now() - 3_600_000 }),
      );
    } finally {
      redis.disconnect();
    }
    const d = await overviewLoader({ request: get("/", cookie), params: {}, ...ctx });
    const stale = d.queues.find((q) => q.name === "stale")?.health;
    expect(stale?.status).toBe("critical");
    expect(stale?.reasons).toEqual([expect.stringMatching(/^oldest waiting job is 36\d\ds old$/)]);
    expect(d.queues.find((q) => q.name === "email")?.health?.status).toBe("ok");
  });
});

describe("campaigns page", () => {
  it("sends a composed campaign that the email worker delivers, and shows its progress", async () => {
    const form = {
      subject: "News for {{name}}",
      format: "html",
      body: "<p>Hello {{name}}</p>",
      recipients: 'ann@example.com {"name":"Ann"}\nbob@example.com {"name":"Bob"}',
      batchSize: "1",
    };
    const result = await campaignAction({ request: post("/campaigns", form, { cookie }), params: {}, ...ctx });
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Queued 2 emails as campaign") });
    const campaignId = "campaignId" in result ? result.campaignId : null;
    if (!campaignId) throw new Error("no campaign id");
    const progress = await waitFor(
      async () => {
        const d = await campaignLoader({
          request: get(`/campaigns?campaign=${campaignId}`, cookie),
          params: {},
          ...ctx,
        });
        return d.campaign?.sent === 2 ? d.campaign : null;
      },
      { message: "both campaign emails sent" },
    );
    expect(progress).toMatchObject({ subject: "News for {{name}}", total: 2, failed: 0, pending: 0 });

    const bad = await campaignAction({
      request: post("/campaigns", { ...form, recipients: "ann@example.com {name}" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(bad).toMatchObject({
      data: { ok: false, message: "Recipient line 1: after the address, give a JSON object." },
    });
  });
});
