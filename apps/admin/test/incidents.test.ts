// Issue 15 (the admin for incidents) in headless Chromium against the built admin, the real API
// and Redis, with no worker running (so a backlog has nobody to deliver it). Screenshots for the
// docs land in docs/screenshots at desktop and phone width, light and dark.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createNotifyClient } from "@notify/client";
import { createRedis, queueKeys } from "@notify/queue";
import { waitFor } from "@notify/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getPage, httpLogin, postForm } from "./support/admin-http.ts";
import { chromiumProblem, launch, newContext } from "./support/browser.ts";
import { rawJob, seed } from "./support/seed.ts";
import { ADMIN_DIR, ADMIN_PASSWORD, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

const VIEWER_PASSWORD = "viewer password for tests";
const VIEWER_TOKEN = "viewer-token-for-admin-tests-0123456789";
const DOCS_SHOTS = join(ROOT, "docs/screenshots");
const PHONE = { width: 375, height: 760 };
const DESKTOP = { width: 1280, height: 860 };

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's incident browser tests: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";

/** A viewport-sized screenshot for the docs (small files), in the given width and theme. */
async function docShot(name: string, size: { width: number; height: number }, theme: "light" | "dark") {
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: theme });
  await page.screenshot({ path: join(DOCS_SHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(DESKTOP);
}

/** Resolves after the live refresh has revalidated the page `count` times (single-fetch .data requests). */
async function liveRefreshes(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await page.waitForResponse((r) => r.url().includes(".data") && r.request().method() === "GET", { timeout: 15_000 });
  }
}

async function login(target: Page, password: string): Promise<void> {
  await target.goto(`${admin}/login`);
  await target.getByLabel("Password").fill(password);
  await target.getByRole("button", { name: "Log in" }).click();
  await target.waitForURL(`${admin}/`);
}

async function seedDeadLetters(count: number, prefix: string): Promise<void> {
  const dead = Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${String(i).padStart(2, "0")}`;
    return { id, raw: rawJob(id, `{"user_name":"D${i}"}`) };
  });
  await seed(stack.redis.url, "email", { dead });
}

describe.skipIf(problem !== null)("the admin for incidents (issue 15)", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({
      admin: true,
      apiEnv: { ADMIN_VIEWER_TOKEN: VIEWER_TOKEN },
      adminEnv: { ADMIN_VIEWER_PASSWORD: VIEWER_PASSWORD, ADMIN_VIEWER_TOKEN: VIEWER_TOKEN },
    });
    admin = stack.adminUrl ?? "";
    // A backlog nobody delivers (no worker runs here), and an urgent OTP behind a paused queue.
    await stack.api.email.send.mutate({ template: "welcome", to: "wait@example.com", data: { user_name: "W" } });
    await stack.api.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "123456" } });
    await stack.api.queues.pause.mutate({ queue: "sms", reason: "maintenance" });
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await login(page, ADMIN_PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("warns on the overview: a backlog with no worker, a paused queue holding urgent jobs", async () => {
    await page.goto(`${admin}/`);
    await page.locator('[data-warning="no-worker"]', { hasText: "email has 1 pending and no live worker" }).waitFor();
    await page
      .locator('[data-warning="paused-urgent"]', { hasText: "sms is paused with urgent jobs waiting" })
      .waitFor();
    // The queue's latency column names the wait of the job that runs next.
    expect(await page.locator('tr[data-queue="email"] td[data-count="latency"]').textContent()).toMatch(/^\d+s$/);
    expect(await page.locator("th", { hasText: "Failed attempts" }).count()).toBe(1);
    await docShot("overview-warnings", DESKTOP, "dark");
  });

  it("keeps an action's result through live refreshes until dismissed, and clears the selection", async () => {
    await seedDeadLetters(30, "dl");
    await page.goto(`${admin}/dead-letters?queue=email`);
    await page.getByRole("button", { name: "Retry selected" }).click();
    const flash = page.locator(".flash", { hasText: "Select at least one job." });
    await flash.waitFor();
    await liveRefreshes(2);
    expect(await flash.isVisible()).toBe(true);

    await page.getByLabel("Select every job on this page").check();
    const boxes = page.locator('input[name="id"]');
    expect(await boxes.count()).toBe(25);
    expect(await page.locator('input[name="id"]:checked').count()).toBe(25);
    await page.locator("summary", { hasText: "Delete selected" }).click();
    await page.getByRole("button", { name: "Delete selected", exact: true }).click();
    const done = page.locator(".flash", { hasText: "Deleted 25 of 25 selected jobs." });
    await done.waitFor();
    await liveRefreshes(2);
    expect(await done.isVisible()).toBe(true);
    expect(await page.locator('input[name="id"]:checked').count()).toBe(0);
    expect(await page.locator("details[open]").count()).toBe(0);
    await docShot("dead-letters", DESKTOP, "light");
    await done.getByRole("button", { name: "Dismiss" }).click();
    expect(await done.count()).toBe(0);
  });

  it("asks before Retry all, and records every change in the audit log", async () => {
    await page.goto(`${admin}/dead-letters?queue=email`);
    await page.locator("summary", { hasText: "Retry all" }).click();
    await page.getByText("Moves all 5 dead letters of email back to pending.").waitFor();
    await page.getByRole("button", { name: "Retry all", exact: true }).click();
    await page.locator(".flash", { hasText: "Retried 5 jobs." }).waitFor();

    await page.goto(`${admin}/audit`);
    const retried = page.locator('tr[data-audit-action="dead letters: retry-all"]');
    await retried.waitFor();
    expect(await retried.textContent()).toMatch(/admin [A-Za-z0-9_-]{6}/);
    expect(await page.locator('tr[data-audit-action="dead letters: delete-selected"]').textContent()).toContain(
      "Deleted 25 of 25",
    );
    // The refused "Select at least one job" never reached an action that changes anything.
    expect(await page.locator('tr[data-audit-action="dead letters: retry-selected"]').count()).toBe(0);
    await docShot("audit", DESKTOP, "light");
  });

  it("fits a phone: dead letters without sideways overflow, every nav item behind Menu", async () => {
    await seedDeadLetters(3, "phone");
    await page.setViewportSize(PHONE);
    await page.goto(`${admin}/dead-letters?queue=email`);
    await page.locator("tr[data-dead-id]").first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.isVisible()).toBe(false);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(DOCS_SHOTS, "dead-letters-phone.png") });
    await page.locator("label", { hasText: "Menu" }).click();
    for (const label of ["Overview", "Dead letters", "Schedules", "Redis", "Audit", "Dev tools"]) {
      expect(await nav.getByRole("link", { name: label, exact: true }).isVisible(), label).toBe(true);
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: join(DOCS_SHOTS, "nav-menu-phone.png") });
    await page.setViewportSize(DESKTOP);
  });

  it("shows every nav item at desktop width, none cut off", async () => {
    await page.goto(`${admin}/`);
    const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    for (const link of await links.all()) {
      const box = await link.boundingBox();
      expect(box !== null && box.x + box.width <= DESKTOP.width, (await link.textContent()) ?? "").toBe(true);
    }
    expect(await links.filter({ hasText: "Dev tools" }).isVisible()).toBe(true);
    // The phone's Menu button is not drawn where every item already shows.
    expect(await page.locator("label", { hasText: "Menu" }).isVisible()).toBe(false);
  });

  it("keeps the shell on unknown URLs, reloads the same URL, and serves a favicon", async () => {
    const answer = await page.goto(`${admin}/no/such/page?x=1`);
    expect(answer?.status()).toBe(404);
    await page.getByText("There is no page at /no/such/page.").waitFor();
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Reload now" }).getAttribute("href")).toBe("/no/such/page?x=1");
    const icon = await getPage(admin, "/favicon.ico");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toContain("image/svg+xml");
    expect(stack.logs("admin")).not.toMatch(/No route matches URL "\/favicon\.ico"/);
  });

  it("puts schedule errors under their field, asks before replacing a name, and counts down", async () => {
    await page.goto(`${admin}/schedules`);
    const form = page.locator("form", { has: page.getByRole("button", { name: "Save schedule" }) });
    await form.locator('input[name="name"]').fill("digest");
    await form.locator('input[name="cron"]').fill("0 9 * * *");
    await form.locator('input[name="tz"]').fill("Mars/Olympus");
    await form.getByRole("button", { name: "Save schedule" }).click();
    await page.locator('[data-field-error="tz"]').waitFor();
    expect(await page.locator('[data-field-error="cron"]').count()).toBe(0);
    expect(await page.locator(".flash").textContent()).not.toContain('"code"');
    // What was typed comes back with the error.
    expect(await form.locator('input[name="cron"]').inputValue()).toBe("0 9 * * *");
    await form.locator('input[name="tz"]').fill("Asia/Kolkata");
    await form.getByRole("button", { name: "Save schedule" }).click();
    await page.locator(".flash", { hasText: "Schedule digest saved" }).waitFor();

    const replaceForm = page.locator("form", { has: page.getByRole("button", { name: "Save schedule" }) });
    await replaceForm.locator('input[name="name"]').fill("digest");
    await replaceForm.locator('input[name="cron"]').fill("30 9 * * *");
    await replaceForm.getByRole("button", { name: "Save schedule" }).click();
    await page.locator(".flash", { hasText: "A schedule named digest already exists in email" }).waitFor();
    expect((await stack.api.schedules.list.query({ queue: "email" }))[0]?.cron).toBe("0 9 * * *");
    await page.getByRole("button", { name: "Replace digest" }).click();
    await page.locator(".flash", { hasText: "Schedule digest saved" }).waitFor();
    expect((await stack.api.schedules.list.query({ queue: "email" }))[0]?.cron).toBe("30 9 * * *");

    // A schedule due within the minute, so its countdown shows seconds (hours away, it would only
    // change once a minute, and whether it did within the wait would depend on the time of day).
    const tickForm = page.locator("form", { has: page.getByRole("button", { name: "Save schedule" }) });
    await tickForm.locator('input[name="name"]').fill("tick");
    await tickForm.locator('input[name="cron"]').fill("* * * * *");
    await tickForm.locator('input[name="tz"]').fill("");
    await tickForm.getByRole("button", { name: "Save schedule" }).click();
    await page.locator(".flash", { hasText: "Schedule tick saved" }).waitFor();
    const selector = '[data-schedule="tick"] [data-countdown]';
    const first = await page.locator(selector).textContent();
    await page.waitForFunction(
      ({ selector, before }) => document.querySelector(selector)?.textContent !== before,
      { selector, before: first },
      { timeout: 10_000 },
    );
  });

  it("tells retries from scheduled jobs, runs a delayed job now and deletes one pending or delayed job", async () => {
    const before = await stack.api.queues.stats.query({ queue: "email" });
    const later = await stack.api.email.send.mutate({
      template: "welcome",
      to: "later@example.com",
      data: { user_name: "L" },
      options: { delayMs: 3_600_000 },
    });
    const other = await stack.api.email.send.mutate({
      template: "welcome",
      to: "other@example.com",
      data: { user_name: "O" },
      options: { delayMs: 3_600_000 },
    });
    const redis = createRedis(stack.redis.url);
    // As a failed attempt leaves it (failure.ts): attempts counted, the error and when it failed.
    const retry = {
      id: "retry-1",
      type: "welcome",
      to: "r@example.com",
      data: {},
      attempts: 1,
      lastError: "timeout",
      failedAt: Date.now(),
    };
    await redis.zadd(queueKeys("email").delayed, Date.now() + 3_600_000, JSON.stringify(retry));
    redis.disconnect();

    await page.goto(`${admin}/queues/email?state=delayed`);
    const row = (id: string) => page.locator("tr", { has: page.getByRole("link", { name: id, exact: true }) });
    await row("retry-1").getByText("retrying").waitFor();
    await row(later.jobId).getByText("scheduled").waitFor();
    await row(later.jobId).getByRole("button", { name: "Run now" }).click();
    await page.locator(".flash", { hasText: `Job ${later.jobId} is due now` }).waitFor();
    await row(other.jobId).locator("summary", { hasText: "Delete" }).click();
    await row(other.jobId).getByRole("button", { name: "Delete", exact: true }).click();
    await page.locator(".flash", { hasText: `Deleted delayed job ${other.jobId}.` }).waitFor();

    await page.goto(`${admin}/queues/email?state=pending`);
    await row(later.jobId).locator("summary", { hasText: "Delete" }).click();
    await row(later.jobId).getByRole("button", { name: "Delete", exact: true }).click();
    await page.locator(".flash", { hasText: `Deleted pending job ${later.jobId}.` }).waitFor();
    const stats = await stack.api.queues.stats.query({ queue: "email" });
    // Three delayed came in; one ran (then was deleted from pending), one was deleted, the retry waits.
    expect({ pending: stats.pending, delayed: stats.delayed }).toEqual({
      pending: before.pending,
      delayed: before.delayed + 1,
    });
  });

  it("lets a viewer see everything and change nothing, refused on the server", async () => {
    const viewer = await (await newContext(browser)).newPage();
    await login(viewer, VIEWER_PASSWORD);
    await viewer.getByText("read-only").first().waitFor();
    await viewer.goto(`${admin}/queues/sms`);
    await viewer.getByText("maintenance").first().waitFor();
    expect(await viewer.getByRole("button", { name: "Resume" }).count()).toBe(0);
    await viewer.goto(`${admin}/dead-letters?queue=email`);
    await viewer.locator("tr[data-dead-id]").first().waitFor();
    expect(await viewer.getByRole("button", { name: "Retry" }).count()).toBe(0);
    await viewer.close();

    // Past the hidden buttons: a viewer's own form post is refused before any action runs.
    const cookie = await httpLogin(admin, VIEWER_PASSWORD);
    const refused = await postForm(admin, "/queues/sms", { intent: "resume" }, { cookie });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("read-only");
    const purge = await postForm(
      admin,
      "/dead-letters",
      { intent: "purge", queue: "email", confirm: "email" },
      { cookie },
    );
    expect(purge.status).toBe(403);
    expect((await stack.api.queues.stats.query({ queue: "sms" })).paused).toBe(true);
    expect((await stack.api.dlq.list.query({ queue: "email" })).total).toBeGreaterThan(0);
    // And through tRPC: the viewer token reads, and every change is refused by the API itself.
    const viewerApi = createNotifyClient({ url: stack.apiUrl, apiKey: VIEWER_TOKEN });
    expect((await viewerApi.queues.stats.query({ queue: "sms" })).paused).toBe(true);
    await expect(viewerApi.queues.resume.mutate({ queue: "sms" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    const { entries } = await stack.api.audit.list.query({});
    // The viewer's logins are recorded; no change is, since none was made.
    const byViewer = entries.filter((e) => e.actor.startsWith("viewer"));
    expect(byViewer.length).toBeGreaterThan(0);
    expect(byViewer.filter((e) => e.action !== "login" && e.action !== "logout")).toEqual([]);
  });

  it("says when Redis restarted and lost its data", async () => {
    await page.goto(`${admin}/`);
    await page.locator('[data-warning="no-worker"]').waitFor();
    // The test server keeps no AOF or RDB: it comes back empty, sessions included.
    await stack.redis.restart();
    await waitFor(async () => (await getPage(admin, "/healthcheck")).status === 200, {
      timeoutMs: 15_000,
      message: "admin healthy again",
    });
    await login(page, ADMIN_PASSWORD);
    await page.locator('[data-warning="data-lost"]', { hasText: "Redis lost its data." }).waitFor();
  });
});
