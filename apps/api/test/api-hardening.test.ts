// #10 finding 11, the API's smaller holes: no stack traces in tRPC errors, POST /queue/test needs a
// key and a JSON body type (so no web page can fire it cross-site), schedules cannot fire more
// often than the minimum interval, and a bad time zone is reported on the tz field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("tRPC errors", () => {
  it.each([
    ["a 401", "/trpc/redis.info", {}],
    ["a 400", "/trpc/jobs.get?input=%7B%22id%22%3A%22%22%7D", { "x-api-key": SERVICE_KEY }],
    ["a 404", "/trpc/no.such.procedure", { "x-api-key": SERVICE_KEY }],
  ])("carry no stack trace or file path (%s)", async (_name, path, headers) => {
    const response = await fetch(`${h.app.url}${path}`, { headers });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const text = await response.text();
    expect(text).not.toContain('"stack"');
    expect(text).not.toMatch(/\/[\w.-]+\/[\w./-]+\.(ts|js|mjs):\d+/);
  });
});

describe("POST /queue/test", () => {
  const post = (headers: Record<string, string>, body = "{}") =>
    fetch(`${h.app.url}/queue/test`, { method: "POST", headers, body });

  it("needs a service key, even in development", async () => {
    expect((await post({ "content-type": "application/json" })).status).toBe(401);
  });

  it("cannot be sent as a simple cross-site request (form or text body)", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const response = await post({ "content-type": type, "x-api-key": SERVICE_KEY, origin: "https://evil.example" });
      expect(response.status, type).toBe(415);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
    const preflight = await fetch(`${h.app.url}/queue/test`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("queues its test batch with a key and a JSON body", async () => {
    const response = await post({ "content-type": "application/json", "x-api-key": SERVICE_KEY });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ queued: true });
  });
});

describe("schedules.create", () => {
  const create = (cron: string, tz?: string) =>
    h.admin.schedules.create.mutate({
      queue: "reports",
      name: "freq",
      cron,
      ...(tz ? { tz } : {}),
      job: { type: "report", data: {} },
    });

  it.each([
    ["every second", "* * * * * *", /fires every 1 s/],
    ["every 30 seconds", "*/30 * * * * *", /fires every 30 s/],
    ["twice a minute by a list", "0,10 * * * * *", /fires every 10 s/],
  ])("refuses a cron that fires %s, on the cron field", async (_name, cron, message) => {
    const error = await trpcError(create(cron));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.issues).toEqual([expect.objectContaining({ path: "cron", message: expect.stringMatching(message) })]);
    expect(error.message).toMatch(/at most once per 60 s/);
  });

  it("takes every minute and rarer", async () => {
    expect((await create("* * * * *")).cron).toBe("* * * * *");
    expect((await create("0 9 * * 1", "Europe/Berlin")).tz).toBe("Europe/Berlin");
  });

  it("files an unknown time zone under tz, not cron", async () => {
    const error = await trpcError(create("0 9 * * *", "Mars/Olympus_Mons"));
    expect(error.issues?.map((issue) => issue.path)).toEqual(["tz"]);
    expect(error.issues?.[0]?.message).toMatch(/unknown time zone/);
  });
});
