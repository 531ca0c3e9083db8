// Issue 15 item 2 in headless Chromium: dead letters that never parsed open from the dead-letters
// page and the queue page by their stable id, show their raw body, are refused while an edit is
// still not a job, go back to pending once fixed, and can be deleted. No worker runs here.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createRedis, queueKeys } from "@notify/queue";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromiumProblem, launch, logIn, newContext } from "./support/browser.ts";
import { ADMIN_DIR, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's raw dead-letter browser tests: ${problem}`);

const UNREADABLE = "written by another tool {oops";
const BROKEN_BODY = '{"type":"welcome","to":"fix@example.com","data":{"user_name":"F"';

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";

async function seedRawDeadLetters(): Promise<void> {
  const redis = createRedis(stack.redis.url);
  const unparsed = { reason: "invalid", error: "malformed JSON", attempts: 0, failedAt: Date.now(), queue: "email" };
  try {
    await redis.lpush(queueKeys("email").dlq, UNREADABLE, JSON.stringify({ ...unparsed, job: null, raw: BROKEN_BODY }));
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(problem !== null)("unparseable dead letters in the admin", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({ admin: true });
    admin = stack.adminUrl ?? "";
    await seedRawDeadLetters();
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await logIn(page, admin);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("opens one from dead letters with its raw body, refuses a bad edit, and queues a fixed one", async () => {
    await page.goto(`${admin}/dead-letters?queue=email`);
    const rows = page.locator('tr[data-dead-id^="raw-"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const id = (await rows.first().getAttribute("data-dead-id")) ?? "";
    await rows.first().getByRole("link", { name: id }).click();
    await page.waitForURL(`${admin}/jobs/email/${id}`);
    await page.getByRole("heading", { name: `Job ${id}` }).waitFor();
    await page.getByText("The stored payload is not a valid job").waitFor();
    expect(await page.locator("main").textContent()).toContain('"type":"welcome"');

    await page.getByRole("link", { name: "Edit raw body" }).click();
    await page.waitForURL(`${admin}/jobs/email/${id}/edit`);
    const box = page.getByLabel(/Raw body/);
    expect(await box.inputValue()).toBe(BROKEN_BODY);
    await box.fill('{"type":"welcome","data":');
    const refused = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: "Retry edited" }).click();
    expect(await (await refused).text()).toContain("still not a job: malformed JSON");
    expect(page.url()).toBe(`${admin}/jobs/email/${id}/edit`);
    expect((await stack.api.dlq.list.query({ queue: "email" })).total).toBe(2);

    await page.getByLabel(/Raw body/).fill(`${BROKEN_BODY.replace('"type"', '"id":"fixed-in-browser","type"')}}}`);
    await page.getByRole("button", { name: "Retry edited" }).click();
    await page.waitForURL(`${admin}/dead-letters?queue=email`);
    // The URL changes before the client navigation has rendered the new list: wait for the list.
    await page.waitForFunction(() => document.querySelectorAll('tr[data-dead-id^="raw-"]').length === 1);
    const fixed = await stack.api.jobs.get.query({ queue: "email", id: "fixed-in-browser" });
    expect(fixed).toMatchObject({ state: "pending", job: { type: "welcome", to: "fix@example.com" } });
  });

  it("says why an edit was refused, on the page itself (server-rendered, without JavaScript)", async () => {
    const [left] = (await stack.api.dlq.list.query({ queue: "email" })).entries;
    const noJs = await (await newContext(browser, { javaScriptEnabled: false })).newPage();
    await logIn(noJs, admin);
    await noJs.goto(`${admin}/jobs/email/${left?.id ?? ""}/edit`);
    await noJs.getByLabel(/Raw body/).fill("[1,2]");
    await noJs.getByRole("button", { name: "Retry edited" }).click();
    await noJs.locator(".flash", { hasText: "still not a job: invalid job" }).waitFor();
    await noJs.close();
  });

  it("opens the other from the queue page by the same id and deletes it", async () => {
    const [left] = (await stack.api.dlq.list.query({ queue: "email" })).entries;
    expect(left?.error).toBe("unreadable dead-letter entry");
    const id = left?.id ?? "";
    expect(id).toMatch(/^raw-/);
    await page.goto(`${admin}/queues/email?state=dead`);
    await page.getByRole("link", { name: id }).click();
    await page.waitForURL(`${admin}/jobs/email/${id}`);
    await page.getByRole("heading", { name: `Job ${id}` }).waitFor();
    expect(await page.locator("main").textContent()).toContain("written by another tool");
    await page.locator("summary", { hasText: "Delete" }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.waitForURL(`${admin}/dead-letters?queue=email`);
    expect((await stack.api.dlq.list.query({ queue: "email" })).total).toBe(0);
  });
});
