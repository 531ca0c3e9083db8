// Loaders and actions against the real API, a real Redis and a real email worker.
import { createRedis } from "@notify/queue";
import { recordEmailEvent, recordNewUser } from "@notify/queue/notifications";
import { waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetAdminEnv } from "../app/lib/env.server.ts";
import { loader as overviewLoader } from "../app/routes/_index.tsx";
import { loader as batchesLoader } from "../app/routes/batches.tsx";
import { action as deadAction, loader as deadLoader } from "../app/routes/dead-letters.tsx";
import { action as devAction } from "../app/routes/dev-tools.tsx";
import { loader as jobLoader } from "../app/routes/jobs.$queue.$id.tsx";
import { action as queueAction, loader as queueLoader } from "../app/routes/queues.$queue.tsx";
import { action as scheduleAction, loader as scheduleLoader } from "../app/routes/schedules.tsx";
import { loader as searchLoader } from "../app/routes/search.tsx";
import { asData, get, loginCookie, post } from "./support/requests.ts";
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

async function emailStats() {
  return (await queueLoader({ request: get("/queues/email", cookie), params: { queue: "email" }, ...ctx })).stats;
}

describe("admin loaders and actions on the real stack", () => {
  it("overview shows every built-in queue, the live worker and Redis memory", async () => {
    const d = await overviewLoader({ request: get("/", cookie), params: {}, ...ctx });
    expect(d.queues.map((q) => q.name)).toEqual(expect.arrayContaining(["email", "sms", "email_events"]));
    expect(d.workers).toBeGreaterThanOrEqual(1);
    expect(d.redis?.usedMemory).toBeGreaterThan(0);
  });

  it("shows the email events counted by type and the new users by group on the email_events page", async () => {
    const redis = createRedis(stack.redis.url);
    try {
      const event = { type: "EMAIL_CLICKED" as const, data: { recipient: "a@example.com", timestamp: Date.now() } };
      await recordEmailEvent(redis, event, "admin-ev-1");
      await recordEmailEvent(redis, event, "admin-ev-2");
      await recordNewUser(redis, { email: "new@example.com", group: "newsletter", at: Date.now() });
    } finally {
      redis.disconnect();
    }
    const d = await queueLoader({
      request: get("/queues/email_events", cookie),
      params: { queue: "email_events" },
      ...ctx,
    });
    expect(d.events?.counts).toMatchObject({ EMAIL_CLICKED: 2, EMAIL_OPENED: 0 });
    expect(d.events?.newUsers.groups).toEqual({ newsletter: 1 });
    const email = await queueLoader({ request: get("/queues/email", cookie), params: { queue: "email" }, ...ctx });
    expect(email.events).toBeNull();
  });

  it("pauses, lists masked pending jobs, refuses an unconfirmed clear, clears, resumes", async () => {
    const paused = await queueAction({
      request: post("/queues/email", { intent: "pause" }, { cookie }),
      params: { queue: "email" },
      ...ctx,
    });
    expect(paused).toMatchObject({ ok: true });
    expect((await emailStats()).paused).toBe(true);

    for (let i = 0; i < 3; i++) {
      await stack.api.email.send.mutate({
        template: "welcome",
        to: `paused${i}@example.com`,
        data: { user_name: "Ann" },
      });
    }
    const page = await queueLoader({
      request: get("/queues/email?state=pending", cookie),
      params: { queue: "email" },
      ...ctx,
    });
    expect(page.stats.pending).toBe(3);
    expect(page.page.rows).toHaveLength(3);
    expect(page.page.rows[0]?.to).toMatch(/^p\*+@example\.com$/);

    const refused = asData(
      await queueAction({
        request: post("/queues/email", { intent: "clear", confirm: "nope" }, { cookie }),
        params: { queue: "email" },
        ...ctx,
      }),
    );
    expect(refused.status).toBe(400);
    expect((await emailStats()).pending).toBe(3);

    const cleared = await queueAction({
      request: post("/queues/email", { intent: "clear", confirm: "email" }, { cookie }),
      params: { queue: "email" },
      ...ctx,
    });
    expect(cleared).toMatchObject({ ok: true, message: expect.stringContaining("Removed 3") });

    await queueAction({
      request: post("/queues/email", { intent: "resume" }, { cookie }),
      params: { queue: "email" },
      ...ctx,
    });
    expect((await emailStats()).paused).toBe(false);
  });

  it("finds a dead letter, masks it until revealed, and retries it once the cause is fixed", async () => {
    const standIn = stack.standIn;
    if (!standIn) throw new Error("stand-in missing");
    standIn.setFallback("sendgrid", { kind: "status", status: 400, message: "Does not contain a valid address." });
    const { jobId } = await stack.api.email.send.mutate({
      template: "welcome",
      to: "dead.letter@example.com",
      data: { user_name: "Dee" },
    });

    const listed = await waitFor(
      async () => {
        const d = await deadLoader({
          request: get("/dead-letters?queue=email&error=valid+address", cookie),
          params: {},
          ...ctx,
        });
        return d.entries.find((e) => e.id === jobId) ? d : null;
      },
      { timeoutMs: 15_000, message: "the job in dead letters" },
    );
    expect(listed.entries[0]?.to).toMatch(/^d\*+@example\.com$/);

    const masked = await jobLoader({
      request: get(`/jobs/email/${jobId}`, cookie),
      params: { queue: "email", id: jobId },
      ...ctx,
    });
    expect(masked.state).toBe("dead");
    expect(masked.payload.text).not.toContain("dead.letter@");
    expect(masked.payload.text).toContain("d******@example.com");
    const revealed = await jobLoader({
      request: get(`/jobs/email/${jobId}?reveal=1`, cookie),
      params: { queue: "email", id: jobId },
      ...ctx,
    });
    expect(revealed.payload.text).toContain("dead.letter@example.com");

    const found = await searchLoader({ request: get("/search?q=dead.letter", cookie), params: {}, ...ctx });
    expect(found.hits?.map((h) => h.id)).toContain(jobId);

    standIn.setFallback("sendgrid", { kind: "ok" });
    const retried = await deadAction({
      request: post("/dead-letters", { queue: "email", intent: "retry-selected", id: [jobId] }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(retried).toMatchObject({ ok: true, message: "Retried 1 of 1 selected jobs." });
    await waitFor(() => standIn.deliveriesOf(jobId) === 1, { timeoutMs: 15_000, message: "the retried job delivered" });
  });

  it("retries all matching, deletes selected and purges only after confirmation", async () => {
    const standIn = stack.standIn;
    if (!standIn) throw new Error("stand-in missing");
    standIn.setFallback("sendgrid", { kind: "status", status: 400, message: "Mailbox name not allowed." });
    const ids: string[] = [];
    for (const name of ["one", "two", "three"]) {
      ids.push(
        (
          await stack.api.email.send.mutate({
            template: "welcome",
            to: `${name}@example.com`,
            data: { user_name: name },
          })
        ).jobId,
      );
    }
    const deadIds = async () =>
      (
        await deadLoader({ request: get("/dead-letters?queue=email&error=Mailbox", cookie), params: {}, ...ctx })
      ).entries.map((e) => e.id);
    await waitFor(async () => (await deadIds()).length === 3, { timeoutMs: 15_000, message: "three dead letters" });

    const none = await deadAction({
      request: post("/dead-letters", { queue: "email", intent: "retry-all", error: "no such error" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(none).toMatchObject({ ok: true, message: expect.stringContaining("Retried 0 jobs") });

    const deleted = await deadAction({
      request: post("/dead-letters", { queue: "email", intent: "delete-selected", id: [ids[0] ?? ""] }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(deleted).toMatchObject({ ok: true, message: "Deleted 1 of 1 selected jobs." });
    expect(await deadIds()).toHaveLength(2);

    const unconfirmed = asData(
      await deadAction({
        request: post("/dead-letters", { queue: "email", intent: "purge", confirm: "yes" }, { cookie }),
        params: {},
        ...ctx,
      }),
    );
    expect(unconfirmed.status).toBe(400);
    expect(await deadIds()).toHaveLength(2);
    const purged = await deadAction({
      request: post("/dead-letters", { queue: "email", intent: "purge", confirm: "email" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(purged).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Purged \d+ dead letters from email\.$/),
    });
    expect(await deadIds()).toHaveLength(0);
    standIn.setFallback("sendgrid", { kind: "ok" });
  });

  it("creates and deletes a schedule, and reports the API's validation", async () => {
    const bad = await scheduleAction({
      request: post(
        "/schedules",
        {
          intent: "create",
          queue: "email",
          name: "digest",
          cron: "not a cron",
          job: '{"type":"welcome","to":"a@example.com","data":{"user_name":"A"}}',
        },
        { cookie },
      ),
      params: {},
      ...ctx,
    });
    expect(bad).toMatchObject({ ok: false });
    const made = await scheduleAction({
      request: post(
        "/schedules",
        {
          intent: "create",
          queue: "email",
          name: "digest",
          cron: "0 9 * * *",
          job: '{"type":"welcome","to":"a@example.com","data":{"user_name":"A"}}',
        },
        { cookie },
      ),
      params: {},
      ...ctx,
    });
    expect(made).toMatchObject({ ok: true });
    const listed = await scheduleLoader({ request: get("/schedules", cookie), params: {}, ...ctx });
    expect(listed.schedules.map((s) => s.name)).toContain("digest");
    await scheduleAction({
      request: post("/schedules", { intent: "delete", queue: "email", name: "digest" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect((await scheduleLoader({ request: get("/schedules", cookie), params: {}, ...ctx })).schedules).toHaveLength(
      0,
    );
  });

  it("creates test jobs from the dev tools", async () => {
    const result = await devAction({
      request: post("/dev-tools", { intent: "create-test-jobs", queue: "admin_dev_test", count: "7" }, { cookie }),
      params: {},
      ...ctx,
    });
    expect(result).toMatchObject({
      ok: true,
      message: expect.stringContaining("Created 7 test jobs in admin_dev_test"),
    });
  });
  it("lists a delayed job with its due time, masked, and a recent batch with its progress", async () => {
    const { jobId } = await stack.api.email.send.mutate({
      template: "welcome",
      to: "later@example.com",
      data: { user_name: "Lee" },
      options: { delayMs: 3_600_000 },
    });
    const delayed = await queueLoader({
      request: get("/queues/email?state=delayed", cookie),
      params: { queue: "email" },
      ...ctx,
    });
    expect(delayed.state).toBe("delayed");
    expect(delayed.page.total).toBe(1);
    const [row] = delayed.page.rows;
    expect(row).toMatchObject({ id: jobId, to: expect.stringMatching(/^l\*+@example\.com$/) });
    expect(row?.at).toBeGreaterThan(delayed.now + 3_500_000);

    const { batchId } = await stack.api.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "Friend" },
      recipients: [{ to: "first@example.com" }, { to: "second@example.com" }],
      batchId: "admin-loader-campaign",
    });
    const listed = await waitFor(
      async () => {
        const d = await batchesLoader({ request: get("/batches?queue=email", cookie), params: {}, ...ctx });
        const batch = d.recent.find((b) => b.batchId === batchId);
        return batch && batch.sent === 2 ? d : null;
      },
      { timeoutMs: 15_000, message: "the batch listed as sent" },
    );
    expect(listed.recent[0]).toMatchObject({ batchId, total: 2, sent: 2, failed: 0 });
    expect(listed.hasMore).toBe(false);

    const cleared = await queueAction({
      request: post("/queues/email", { intent: "clear", confirm: "email" }, { cookie }),
      params: { queue: "email" },
      ...ctx,
    });
    expect(cleared).toMatchObject({ ok: true, message: expect.stringContaining("Removed 1 pending and delayed") });
  });
});
