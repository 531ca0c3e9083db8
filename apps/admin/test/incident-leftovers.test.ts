// Issue 15's leftovers in headless Chromium against the built admin, the real API and Redis: the
// Retrying view (a real failed attempt), the overview's open-breaker warning, plain template
// preview errors on their field, action results kept through live refreshes with JavaScript on,
// the audit of the dev tools, and every nav page at phone width without sideways overflow.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createRedis, createWorker, RetryableError } from "@notify/queue";
import { reportBreakerState } from "@notify/queue/notifications";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NAV } from "../app/lib/nav.ts";
import { chromiumProblem, launch, logIn, newContext } from "./support/browser.ts";
import { rawJob, seed } from "./support/seed.ts";
import { ADMIN_DIR, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

const DOCS_SHOTS = join(ROOT, "docs/screenshots");
const PHONE = { width: 375, height: 760 };
const DESKTOP = { width: 1280, height: 860 };

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's incident leftovers browser tests: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";

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

/**
 * The flash after a press stays through a live refresh (JavaScript on, so it happens): the refresh
 * drops the action's data, which is what used to take the message with it.
 */
async function expectKept(text: string): Promise<void> {
  const flash = page.locator(".flash", { hasText: text });
  await flash.waitFor();
  await liveRefreshes(1);
  expect(await flash.isVisible(), text).toBe(true);
}

describe.skipIf(problem !== null)("issue 15 leftovers in the admin", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({ admin: true });
    admin = stack.adminUrl ?? "";
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await logIn(page, admin);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows a failed job under Retrying with its error, attempt n of max and next attempt, and runs it now", async () => {
    const connection = createRedis(stack.redis.url);
    const worker = createWorker(
      "sms",
      async () => {
        throw new RetryableError("gateway answered 503");
      },
      { connection, maxAttempts: 5, backoff: { type: "fixed", delayMs: 120_000 } },
    );
    try {
      const failing = await stack.api.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "4321" } });
      const later = await stack.api.sms.send.mutate({
        template: "otp",
        to: "+919876543211",
        data: { otp: "8765" },
        options: { delayMs: 120_000 },
      });
      await page.goto(`${admin}/retrying?queue=sms`);
      const row = page.locator(`tr[data-retrying-id="${failing.jobId}"]`);
      await row.waitFor();
      expect(await row.locator('[data-label="Last error"]').textContent()).toContain("gateway answered 503");
      expect(await row.locator("[data-attempt]").textContent()).toBe("2 of 5");
      expect(await row.locator('[data-label="Next attempt"]').textContent()).toMatch(/^in \dm \d+s/);
      // The producer's delay is not a retry.
      expect(await page.locator(`tr[data-retrying-id="${later.jobId}"]`).count()).toBe(0);
      await docShot("retrying", DESKTOP, "light");
      await docShot("retrying-phone", PHONE, "dark");

      await page.goto(`${admin}/queues/sms?state=delayed`);
      const delayedRow = (id: string) => page.locator("tr", { has: page.getByRole("link", { name: id, exact: true }) });
      await delayedRow(failing.jobId).getByText("retrying").waitFor();
      await delayedRow(later.jobId).getByText("scheduled").waitFor();
    } finally {
      await worker.close();
      connection.disconnect();
    }
    await page.goto(`${admin}/retrying?queue=sms`);
    const [waiting] = (await stack.api.jobs.delayed.query({ queue: "sms", kind: "retrying" })).jobs;
    const id = waiting?.job?.id ?? "";
    await page.locator(`tr[data-retrying-id="${id}"]`).getByRole("button", { name: "Run now" }).click();
    await expectKept(`Job ${id} is due now`);
    expect((await stack.api.jobs.delayed.query({ queue: "sms", kind: "retrying" })).total).toBe(0);
    expect((await stack.api.queues.stats.query({ queue: "sms" })).pending).toBe(1);
  });

  it("warns on the overview when a provider's circuit breaker is open", async () => {
    const redis = createRedis(stack.redis.url);
    await reportBreakerState(redis, {
      channel: "email",
      provider: "sendgrid",
      state: "open",
      reason: "failures",
      failures: 5,
      lastError: "SendGrid answered 503",
      retryAt: Date.now() + 30_000,
      updatedAt: Date.now(),
    });
    await reportBreakerState(redis, {
      channel: "sms",
      provider: "msg91",
      state: "closed",
      failures: 0,
      updatedAt: Date.now(),
    });
    redis.disconnect();
    await page.goto(`${admin}/`);
    const warning = page.locator('[data-warning="breaker-open"]');
    await warning.waitFor();
    expect(await warning.count()).toBe(1);
    expect(await warning.textContent()).toMatch(/email provider sendgrid is switched off.*SendGrid answered 503/);
    await docShot("overview-breaker-phone", PHONE, "light");
  });

  it("puts a template preview's data errors, in plain words, under the sample data", async () => {
    await page.goto(`${admin}/templates?channel=sms&template=otp&data=${encodeURIComponent('{"otp":"12"}')}`);
    const error = page.locator('[data-field-error="data.otp"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^otp: otp must be 4 to 8 digits/);
    expect(await page.locator("main").textContent()).not.toContain('"code"');
    expect(await page.locator('textarea[name="data"]').getAttribute("aria-invalid")).toBe("true");
    await docShot("template-preview-error", DESKTOP, "dark");
  });

  it("keeps results through live refreshes with JavaScript on: pause, retry, delete", async () => {
    await page.goto(`${admin}/queues/email`);
    await page.getByRole("button", { name: "Pause" }).click();
    await expectKept("Queue email paused.");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.locator(".flash", { hasText: "Queue email resumed." }).waitFor();

    await seed(stack.redis.url, "email", {
      dead: [
        { id: "keep-1", raw: rawJob("keep-1", '{"user_name":"K"}') },
        { id: "keep-2", raw: rawJob("keep-2", '{"user_name":"K"}') },
      ],
    });
    await page.goto(`${admin}/dead-letters?queue=email`);
    await page.locator('tr[data-dead-id="keep-1"]').getByRole("button", { name: "Retry" }).click();
    await expectKept("Job keep-1 is back in email.");
    const two = page.locator('tr[data-dead-id="keep-2"]');
    await two.locator("summary", { hasText: "Delete" }).click();
    await two.getByRole("button", { name: "Delete", exact: true }).click();
    await expectKept("Deleted keep-2.");
  });

  it("records the dev tools in the audit log", async () => {
    await page.goto(`${admin}/dev-tools`);
    const form = page.locator("form", { has: page.locator('input[name="intent"][value="create-test-jobs"]') });
    await form.locator('input[name="count"]').fill("2");
    await form.getByRole("button").click();
    await page.locator(".flash", { hasText: "Created 2 test jobs" }).waitFor();
    await page.goto(`${admin}/audit`);
    const row = page.locator('tr[data-audit-action="dev tools: create-test-jobs"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("Created 2 test jobs");
  });

  it("fits every nav page into 375 px without sideways overflow", async () => {
    // Layout is the server-rendered page's: without JavaScript there is no hydration to wait for.
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const phone = await context.newPage();
    await logIn(phone, admin);
    const overflowing: string[] = [];
    for (const item of NAV) {
      await phone.goto(`${admin}${item.to}`);
      await phone.locator("main h1").first().waitFor();
      const width = await phone.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
      if (width > PHONE.width) overflowing.push(`${item.to}: ${width}px`);
    }
    await context.close();
    expect(overflowing).toEqual([]);
  });
});
