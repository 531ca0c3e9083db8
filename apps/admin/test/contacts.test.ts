// The Contacts page in headless Chromium against the built admin, the real API (Bun) and Redis:
// list (addresses masked), search, edit, create, delete, a refused value shown with its reason;
// the overview's dead-letter alert (DLQ_ALERT_THRESHOLD) and a seed 003 batch's failed contacts.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createRedis, drain, PermanentError, parseRawJob, Queue, type RedisConnection } from "@notify/queue";
import { expandSeedEmailJob, SEED_EMAIL_JOB_TYPE } from "@notify/queue/notifications";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromiumProblem, launch, newContext, SCREENSHOTS } from "./support/browser.ts";
import { ADMIN_DIR, ADMIN_PASSWORD, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's browser tests: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let redis: RedisConnection;
let admin = "";

const row = (id: string) => page.locator(`tr[data-contact="${id}"]`);

describe.skipIf(problem !== null)("contacts in a real browser", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({ admin: true, apiEnv: { DLQ_ALERT_THRESHOLD: "1" } });
    admin = stack.adminUrl ?? "";
    redis = createRedis(stack.redis.url);
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await page.goto(`${admin}/contacts`);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${admin}/contacts`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await stack?.stop();
  });

  it("lists contacts with addresses masked and finds one by search", async () => {
    await stack.api.contacts.upsert.mutate({ id: "c-ann", email: "ann.smith@example.com", name: "Ann Smith" });
    await stack.api.contacts.upsert.mutate({ id: "c-bob", email: "bob@example.com", name: "Bob", groups: ["vip"] });
    await page.goto(`${admin}/contacts`);
    await row("c-ann").waitFor();
    expect(await row("c-ann").textContent()).toContain("a******@example.com");
    expect(await page.content()).not.toContain("ann.smith@example.com");
    await page.getByLabel("Search").fill("bob");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=bob/);
    // c-bob was on the page before the search too: wait for c-ann to leave instead.
    await row("c-ann").waitFor({ state: "detached" });
    await row("c-bob").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "contacts.png"), fullPage: true });
  });

  it("edits a contact, creates one, and shows a refused value with its reason", async () => {
    await page.goto(`${admin}/contacts`);
    await row("c-ann").getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit c-ann" }).waitFor();
    expect(await page.getByLabel("Email").inputValue()).toBe("ann.smith@example.com");
    await page.getByLabel("Time zone").fill("Asia/Kolkata");
    await page.getByLabel("Locale").fill("en-IN");
    await page.getByLabel("Attributes (JSON object)").fill('{"plan":"gold"}');
    await page.getByRole("button", { name: "Save contact" }).click();
    await page.getByText("Contact c-ann saved.").waitFor();
    expect(await stack.api.contacts.get.query({ id: "c-ann" })).toMatchObject({
      name: "Ann Smith",
      timeZone: "Asia/Kolkata",
      locale: "en-IN",
      attributes: { plan: "gold" },
    });

    await page.goto(`${admin}/contacts`);
    await page.getByLabel("Id").fill("c-new");
    await page.getByLabel("Email").fill("new@example.com");
    await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Save contact" }).click();
    await page
      .getByText(/timeZone/)
      .first()
      .waitFor();
    expect((await stack.api.contacts.list.query({ search: "c-new" })).contacts).toEqual([]);
    await page.getByLabel("Time zone").fill("Europe/Berlin");
    await page.getByRole("button", { name: "Save contact" }).click();
    await page.getByText("Contact c-new created.").waitFor();
    expect((await stack.api.contacts.get.query({ id: "c-new" })).timeZone).toBe("Europe/Berlin");
  });

  it("deletes a contact", async () => {
    await page.goto(`${admin}/contacts`);
    await row("c-bob").getByRole("button", { name: "Delete" }).click();
    await page.getByText("Contact c-bob deleted.").waitFor();
    // The list is reloaded after the action; wait for the row to go rather than race the reload.
    await row("c-bob").waitFor({ state: "detached" });
    expect((await stack.api.contacts.list.query({ search: "c-bob" })).contacts).toEqual([]);
  });

  it("shows the contacts of a seed 003 batch that got no email, and the dead-letter alert", async () => {
    const raw = JSON.stringify({ contact_ids: ["c-ann", "c-gone"], template_id: "welcome", batch_id: "seed3-batch" });
    const parsed = parseRawJob(raw, { defaultType: SEED_EMAIL_JOB_TYPE });
    if (!parsed.ok) throw new Error(parsed.reason);
    await expandSeedEmailJob(redis, parsed.job);
    await page.goto(`${admin}/batches?queue=email&ids=seed3-batch`);
    const failures = page.getByTestId("contact-failures");
    await failures.waitFor();
    expect(await failures.textContent()).toContain("c-gone: unknown contact");

    const name = "alerting";
    await new Queue(name, { connection: redis }).pushBulk([{ type: "x" }, { type: "y" }]);
    await drain(
      name,
      async () => {
        throw new PermanentError("refused");
      },
      { connection: redis, limit: 2 },
    );
    await page.goto(`${admin}/`);
    const alert = page.getByTestId("dlq-alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/DLQ_ALERT_THRESHOLD=1.*alerting holds 2/);
  });
});
