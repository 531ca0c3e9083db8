// End to end in headless Chromium: the built admin, the real API, a real email worker and Redis.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createRedis } from "@notify/queue";
import { waitFor } from "@notify/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromiumProblem, launch, newContext, SCREENSHOTS } from "./support/browser.ts";
import { ADMIN_DIR, ADMIN_PASSWORD, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

// Browser steps wait on live refreshes; on a loaded 2-core machine a flow can take tens of seconds.
vi.setConfig({ testTimeout: 90_000 });

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's browser tests: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";

async function shot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Text of the overview's count cell for a queue; changes only through live refresh. */
function countCell(queue: string, count: string): string {
  return `tr[data-queue="${queue}"] td[data-count="${count}"]`;
}

async function countOf(queue: string, count: string): Promise<number> {
  const text = await page.locator(countCell(queue, count)).textContent();
  return Number((text ?? "").replace(/,/g, ""));
}

describe.skipIf(problem !== null)("admin in a real browser", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({ worker: true, admin: true });
    admin = stack.adminUrl ?? "";
    browser = await launch();
    page = await (await newContext(browser)).newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("sends a page without a session to login and refuses a wrong password", async () => {
    await page.goto(`${admin}/workers`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await shot("login");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Wrong password.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");

    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${admin}/workers`);
    await page.locator("td", { hasText: "email" }).first().waitFor();
    // The email worker reported its provider's breaker (closed) when it started.
    const sendgrid = page
      .getByRole("table", { name: "Provider circuit breakers" })
      .locator('tr[data-provider="sendgrid"]');
    expect(await sendgrid.textContent()).toContain("closed");
    await shot("workers");
  });

  it("shows counts moving live as jobs are pushed while paused and delivered after resume", async () => {
    await page.goto(`${admin}/queues/email`);
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText("paused from the admin").first().waitFor();

    await page.goto(`${admin}/`);
    // Set once; a full page load would drop it, so it proves the refresh happened in place.
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    const processedBefore = await countOf("email", "processed");
    for (let i = 0; i < 4; i++) {
      await stack.api.email.send.mutate({
        template: "welcome",
        to: `live${i}@example.com`,
        data: { user_name: "Live" },
      });
    }
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === "4",
      countCell("email", "pending"),
      {
        timeout: 15_000,
      },
    );
    await shot("overview-paused");

    await page.goto(`${admin}/queues/email`);
    await shot("queue");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();

    await page.goto(`${admin}/`);
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    await page.waitForFunction(
      ({ sel, target }) => Number(document.querySelector(sel)?.textContent?.replace(/,/g, "")) >= target,
      { sel: countCell("email", "processed"), target: processedBefore + 4 },
      { timeout: 20_000 },
    );
    expect(await countOf("email", "pending")).toBe(0);
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await shot("overview");
  });

  it("finds a permanently failed job in dead letters, and retries it after the cause is fixed", async () => {
    const standIn = stack.standIn;
    if (!standIn) throw new Error("stand-in missing");
    standIn.setFallback("sendgrid", { kind: "status", status: 400, message: "Does not contain a valid address." });
    const { jobId } = await stack.api.email.send.mutate({
      template: "welcome",
      to: "bounce.me@example.com",
      data: { user_name: "Bo" },
    });

    await page.goto(`${admin}/dead-letters?queue=email`);
    const row = page.locator(`tr[data-dead-id="${jobId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain("valid address");
    await shot("dead-letters");

    await row.getByRole("link", { name: jobId }).click();
    await page.waitForURL(`**/jobs/email/${jobId}`);
    expect(await page.locator("pre.json").first().textContent()).not.toContain("bounce.me@");
    await page.getByRole("link", { name: "Reveal" }).click();
    await page.waitForFunction(() => document.body.textContent?.includes("bounce.me@example.com"));
    await shot("job");

    standIn.setFallback("sendgrid", { kind: "ok" });
    await page.goto(`${admin}/dead-letters?queue=email`);
    await page.locator(`tr[data-dead-id="${jobId}"]`).getByRole("button", { name: "Retry" }).click();
    await page.getByText(`Job ${jobId} is back in email.`).waitFor();
    await waitFor(() => standIn.deliveriesOf(jobId) === 1, { timeoutMs: 15_000, message: "the retried job delivered" });
    await page.locator(`tr[data-dead-id="${jobId}"]`).waitFor({ state: "detached" });

    await page.goto(`${admin}/search?q=${jobId}`);
    await page.getByRole("link", { name: jobId }).waitFor();
    await shot("search");
  });

  it("renders every other page", async () => {
    const { batchId } = await stack.api.email.sendBatch.mutate({
      template: "welcome",
      data: { user_name: "Campaign" },
      recipients: [{ to: "c1@example.com" }, { to: "c2@example.com" }, { to: "c3@example.com" }],
    });
    await page.goto(`${admin}/batches?queue=email&ids=${batchId}`);
    await page.getByRole("progressbar").waitFor();
    await page.waitForFunction(
      () => document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow") === "100",
      null,
      {
        timeout: 15_000,
      },
    );
    await shot("batches");

    await page.goto(`${admin}/schedules`);
    await page.getByLabel("Name", { exact: true }).fill("morning-digest");
    await page.getByLabel("Cron").fill("0 9 * * *");
    await page.getByRole("button", { name: "Save schedule" }).click();
    await page.getByRole("cell", { name: "morning-digest" }).waitFor();
    await shot("schedules");

    for (const [path, name, marker] of [
      ["/history", "history", "Per day, last 90 days"],
      ["/redis", "redis", "Memory used"],
      ["/templates?channel=email&template=order_confirmation", "templates", "Sample data for email"],
      ["/templates?channel=sms&template=otp", "templates-sms", "Sample data for sms"],
      ["/queues/email_events", "queue-email-events", "Email events by type"],
      // Last: the dev tools' Run button is pressed below.
      ["/dev-tools", "dev-tools", "Performance test"],
    ] as const) {
      await page.goto(`${admin}${path}`);
      await page.getByText(marker).first().waitFor();
      expect(await page.locator(".banner-error").count(), `${path} shows an error`).toBe(0);
      // The API renders previews with the workers' templates: a subject for email, the message for SMS.
      if (path.startsWith("/templates")) {
        await page
          .getByText(name === "templates" ? "Subject:" : "Message", { exact: true })
          .first()
          .waitFor();
      }
      await shot(name);
    }

    await page.getByRole("button", { name: "Run" }).click();
    await page.getByText(/Enqueued 1,000 jobs into dev_test/).waitFor({ timeout: 30_000 });
    await shot("dev-tools-result");

    await page.goto(`${admin}/`);
    await page.getByText("Recent failures").waitFor();
    await shot("overview-busy");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${admin}/`);
    await shot("overview-phone-dark");
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("works without JavaScript: log in, pause and resume with plain form posts", async () => {
    const plain = await newContext(browser, { javaScriptEnabled: false });
    try {
      const p = await plain.newPage();
      await p.goto(`${admin}/queues/sms`);
      await p.getByLabel("Password").fill(ADMIN_PASSWORD);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.waitForURL(`${admin}/queues/sms`);
      await p.getByRole("button", { name: "Pause" }).click();
      await p.getByText("Queue sms paused.").waitFor();
      expect((await stack.api.queues.stats.query({ queue: "sms" })).paused).toBe(true);
      await p.getByRole("button", { name: "Resume" }).click();
      await p.getByText("Queue sms resumed.").waitFor();
      expect((await stack.api.queues.stats.query({ queue: "sms" })).paused).toBe(false);
    } finally {
      await plain.close();
    }
  });

  it("warns on the Redis page when the eviction policy can drop queued jobs", async () => {
    const redis = createRedis(stack.redis.url);
    try {
      await redis.config("SET", "maxmemory-policy", "allkeys-lru");
      await page.goto(`${admin}/redis`);
      const banner = page.locator(".banner-error", { hasText: "Queued jobs can be evicted." });
      await banner.waitFor();
      expect(await banner.textContent()).toContain("allkeys-lru");
      expect(await page.getByText("Eviction policy").count()).toBe(1);
      await shot("redis-evicting");
    } finally {
      await redis.config("SET", "maxmemory-policy", "noeviction");
      redis.disconnect();
    }
  });

  it("shows a banner, not a stack trace, when the API is down, and logs out", async () => {
    await stack.kill("api");
    await page.goto(`${admin}/redis`);
    const banner = page.locator(".banner-error");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("The queue service is unavailable.");
    expect(await page.content()).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
    await shot("api-down");
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.waitForURL(`${admin}/login`);
    await page.goto(`${admin}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});
