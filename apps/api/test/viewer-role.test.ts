// Issue 15, roles: the read-only admin token (ADMIN_VIEWER_TOKEN) over HTTP. Walks every procedure
// of the router, so one a router adds later is covered without touching this file: every mutation
// (service procedures included) answers FORBIDDEN, every admin query answers, and the admin's own
// session store stays the full token's.
import { createNotifyClient } from "@notify/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app.ts";
import { ADMIN_TOKEN, type Harness, startHarness } from "./support/harness.ts";

const VIEWER_TOKEN = "viewer-token-for-tests-0123456789";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { adminViewerToken: VIEWER_TOKEN } });
});
afterAll(async () => {
  await h?.close();
});

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription" };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(
  ([path, procedure]) => ({ path, type: procedure._def.type }),
);

/** One raw tRPC call over HTTP with an empty input: the guard answers before input validation. */
async function call(path: string, type: string, token: string): Promise<{ status: number; code: string }> {
  const url = `${h.app.url}/trpc/${path}`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const response =
    type === "query"
      ? await fetch(`${url}?input=${encodeURIComponent("{}")}`, { headers })
      : await fetch(url, { method: "POST", headers, body: "{}" });
  const body = (await response.json()) as { error?: { data?: { code?: string } } };
  return { status: response.status, code: body.error?.data?.code ?? "OK" };
}

describe("the viewer token", () => {
  it("finds mutations and queries to walk", () => {
    expect(procedures.filter((p) => p.type === "mutation").length).toBeGreaterThan(20);
    expect(procedures.some((p) => p.path === "dlq.purge")).toBe(true);
  });

  it("is refused with 403 by every mutation, while the admin token gets past the guard", async () => {
    for (const { path, type } of procedures.filter((p) => p.type === "mutation")) {
      expect({ path, ...(await call(path, type, VIEWER_TOKEN)) }).toEqual({ path, status: 403, code: "FORBIDDEN" });
      const admin = await call(path, type, ADMIN_TOKEN);
      expect({ path, code: admin.code }).not.toEqual({ path, code: "FORBIDDEN" });
      expect({ path, code: admin.code }).not.toEqual({ path, code: "UNAUTHORIZED" });
    }
  });

  it("reads every admin query, except the admin's session store and the dev tools", async () => {
    for (const { path, type } of procedures.filter((p) => p.type === "query")) {
      const { code } = await call(path, type, VIEWER_TOKEN);
      if (path.startsWith("sessions.") || path.startsWith("tools."))
        expect({ path, code }).toEqual({ path, code: "FORBIDDEN" });
      else expect({ path, code: ["UNAUTHORIZED", "FORBIDDEN"].includes(code) }).toEqual({ path, code: false });
    }
  });

  it("sees the data: the queues and a dead letter the admin made", async () => {
    const viewer = createNotifyClient({ url: h.app.url, apiKey: VIEWER_TOKEN });
    await h.admin.queues.pause.mutate({ queue: "email", reason: "viewer test" });
    expect((await viewer.queues.stats.query({ queue: "email" })).paused).toBe(true);
    await expect(viewer.queues.resume.mutate({ queue: "email" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    expect((await viewer.queues.stats.query({ queue: "email" })).paused).toBe(true);
    await h.admin.queues.resume.mutate({ queue: "email" });
  });

  it("keeps the audit log write-only for the admin token and readable by the viewer", async () => {
    const viewer = createNotifyClient({ url: h.app.url, apiKey: VIEWER_TOKEN });
    await h.admin.audit.record.mutate({ actor: "admin", action: "pause", target: "email", detail: "paused" });
    await expect(viewer.audit.record.mutate({ actor: "x", action: "forge", target: "email" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    const { entries } = await viewer.audit.list.query({});
    expect(entries[0]).toMatchObject({ actor: "admin", action: "pause", target: "email" });
    expect(entries.some((e) => e.action === "forge")).toBe(false);
  });
});
