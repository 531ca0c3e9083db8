// The Stored templates and Suppressions pages in headless Chromium against the real API, a real
// email worker (SendGrid client against the stand-in) and Redis: a template is created, previewed,
// published, test-sent (and arrives), edited, published again and rolled back; an address is
// suppressed and removed with a reason.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "@notify/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromiumProblem, launch, logIn, newContext, SCREENSHOTS } from "./support/browser.ts";
import { ADMIN_DIR, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 120_000 });

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the stored templates browser test: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";

describe.skipIf(problem !== null)("stored templates and suppressions in a real browser", () => {
  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    stack = await startStack({ worker: true, admin: true });
    admin = stack.adminUrl ?? "";
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await logIn(page, admin);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("creates, previews, publishes, test-sends, edits and rolls back a template", async () => {
    await page.goto(`${admin}/template-store?channel=email`);
    await page.getByText("No stored templates yet.").waitFor();
    const editor = page.getByRole("form", { name: "Edit template" });
    await editor.getByLabel("Name", { exact: true }).fill("order_shipped");
    await editor.getByLabel(/^Variables/).fill("order_number, carrier?");
    await editor.getByLabel("Subject").fill("Order {{order_number}} shipped");
    await editor
      .getByLabel("MJML")
      .fill(
        "<mjml><mj-body><mj-section><mj-column><mj-text>Order {{order_number}} is on its way{{#if carrier}} with {{carrier}}{{/if}}.</mj-text></mj-column></mj-section></mj-body></mjml>",
      );
    await editor.getByLabel("Plain text").fill("Order {{order_number}} is on its way.");
    await editor.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Draft of order_shipped created").waitFor();

    // A broken edit is refused with MJML's own message, and the draft stays as it was.
    await page.goto(`${admin}/template-store?channel=email&name=order_shipped`);
    await editor.getByLabel("MJML").fill("<mjml><mj-body><mj-bogus /></mj-body></mjml>");
    await editor.getByRole("button", { name: "Save draft" }).click();
    await page
      .locator(".banner-error, [role=alert]")
      .getByText(/locale default/)
      .waitFor();

    await page.goto(`${admin}/template-store?channel=email&name=order_shipped`);
    const versions = page.getByRole("region", { name: "Versions" });
    await versions.getByLabel("Preview data (JSON)").fill('{"order_number": "<b>A-1</b>", "carrier": "DHL"}');
    await versions.getByRole("button", { name: "Preview draft" }).click();
    await page.getByText("Order <b>A-1</b> shipped", { exact: true }).waitFor();
    const frame = page.frameLocator('iframe[title="Stored template preview"]');
    await frame.getByText("Order <b>A-1</b> is on its way with DHL.").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "template-store-preview.png"), fullPage: true });

    await page.goto(`${admin}/template-store?channel=email&name=order_shipped`);
    await versions.getByLabel("Version note").fill("first cut");
    await versions.getByRole("button", { name: "Publish draft" }).click();
    await page.getByText("Version 1 of order_shipped is live.").waitFor();

    // The test send goes through the queue and the real worker to the provider stand-in.
    await versions.getByLabel("Send the live version to").fill("qa@example.com");
    await versions.getByLabel("Test data (JSON)").fill('{"order_number": "T-9"}');
    await versions.getByRole("button", { name: "Send test" }).click();
    await page.getByText(/Test of version 1 queued as job/).waitFor();
    await waitFor(
      () =>
        stack.standIn?.deliveries.some(
          (d) => d.to === "qa@example.com" && (d.body as { subject?: string }).subject === "Order T-9 shipped",
        ),
      { message: "the test send delivered", timeoutMs: 30_000 },
    );

    // A second version, then back to the first.
    await page.goto(`${admin}/template-store?channel=email&name=order_shipped`);
    await editor.getByLabel("Subject").fill("Shipped: {{order_number}}");
    await editor.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Draft of order_shipped saved").waitFor();
    await versions.getByRole("button", { name: "Publish draft" }).click();
    await page.getByText("Version 2 of order_shipped is live.").waitFor();
    expect((await stack.api.templates.get.query({ channel: "email", name: "order_shipped" })).published).toBe(2);
    await versions.getByRole("button", { name: "Roll back to v1" }).click();
    await page.getByText("Version 1 of order_shipped is live again.").waitFor();
    const detail = await stack.api.templates.get.query({ channel: "email", name: "order_shipped" });
    expect(detail.published).toBe(1);
    expect(detail.draft.locales.default).toMatchObject({ subject: "Order {{order_number}} shipped" });
    await page.goto(`${admin}/template-store`);
    await page.locator('tr[data-template="order_shipped"]').getByText("v1").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "template-store.png"), fullPage: true });
  });

  it("suppresses an address, finds it, and removes it with a reason", async () => {
    await page.goto(`${admin}/suppressions`);
    const add = page.getByRole("form", { name: "Suppress an address" });
    await add.getByLabel("Address").fill("bounce@example.com");
    await add.getByLabel("Why").fill("customer asked by phone");
    await add.getByRole("button", { name: "Suppress" }).click();
    await page.getByText("bounce@example.com is suppressed.").waitFor();
    await stack.api.preferences.suppress.mutate({ address: "other@example.org" });

    await page.getByRole("textbox", { name: "Search" }).fill("bounce@");
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator('tr[data-address="bounce@example.com"]').waitFor();
    expect(await page.locator('tr[data-address="other@example.org"]').count()).toBe(0);

    const row = page.locator('tr[data-address="bounce@example.com"]');
    await row.getByLabel("Reason to remove bounce@example.com").fill("mailbox works again");
    await row.getByRole("button", { name: "Remove" }).click();
    await page.getByText("bounce@example.com may be sent to again.").waitFor();
    await page.getByText(/bounce@example.com — mailbox works again/).waitFor();
    expect((await stack.api.preferences.recipient.query({ recipient: "bounce@example.com" })).suppressed).toBeNull();
    await page.screenshot({ path: join(SCREENSHOTS, "suppressions.png"), fullPage: true });
  });
});
