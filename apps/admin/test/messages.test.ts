// The message log and status webhooks in headless Chromium (#14, #15 item 3): the built admin,
// the real API, the real email and webhooks workers, the provider stand-in and a real receiver.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { verifyWebhook } from "@notify/client";
import { WebhookReceiver, waitFor } from "@notify/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chromiumProblem, launch, logIn, newContext, SCREENSHOTS } from "./support/browser.ts";
import { ADMIN_DIR, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the admin's message-log browser tests: ${problem}`);

let stack: Stack;
let browser: Browser;
let page: Page;
let admin = "";
const receiver = new WebhookReceiver();

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe.skipIf(problem !== null)("message log and webhooks in a real browser", () => {
  beforeAll(async () => {
    if (adminBuildIsStale())
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    await receiver.start();
    stack = await startStack({ worker: true, admin: true, webhooks: true, workerEnv: { RETRY_BASE_MS: "100" } });
    admin = stack.adminUrl ?? "";
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    await logIn(page, admin);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver.stop();
  });

  it("finds a message by recipient and shows each attempt with its error, then the send", async () => {
    // The provider refuses the first try: attempt 1 fails and is retried, attempt 2 sends.
    stack.standIn?.script("sendgrid", { kind: "status", status: 503, message: "try again later" });
    const { jobId } = await stack.api.email.send.mutate({
      template: "welcome",
      to: "grace@example.com",
      data: { user_name: "Grace" },
    });
    await waitFor(
      async () => (await stack.api.messages.get.query({ id: jobId }).catch(() => null))?.status === "sent",
      {
        timeoutMs: 30_000,
        message: "sent after one retry",
      },
    );

    await page.goto(`${admin}/messages`);
    await page.getByLabel("Recipient").fill("grace@example.com");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("message-total").getByText("1 message matched").waitFor();
    await shot("messages");
    await page.getByRole("link", { name: jobId }).click();
    await page.waitForURL(`${admin}/messages/${jobId}`);
    expect(await page.getByTestId("message-attempts").textContent()).toBe("2");
    const timeline = page.getByRole("list", { name: "Message timeline" });
    await timeline.getByText("Attempt 1: failed, will retry").waitFor();
    await timeline.getByText(/503/).first().waitFor();
    await timeline.getByText("Attempt 2: sent").waitFor();
    // The recipient is masked on the page.
    expect(await page.content()).not.toContain("grace@example.com");
    await shot("message");

    // The job page carries the same history (#15 item 3), attempts counted right.
    await page.getByRole("link", { name: "Job", exact: true }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.getByText("Attempt 2: sent").waitFor();
    await shot("job-history");
  });

  it("registers an endpoint, sends a signed test event to it and shows the delivery", async () => {
    await page.goto(`${admin}/webhooks`);
    await page.getByLabel("URL").fill(`${receiver.url}/hooks`);
    await page.getByRole("button", { name: "Register" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.getByText(/Test event .* queued/).waitFor();
    const [call] = await waitFor(() => (receiver.to("/hooks").length > 0 ? receiver.to("/hooks") : null), {
      timeoutMs: 20_000,
      message: "the test event at the receiver",
    });
    expect(verifyWebhook(secret, call?.body ?? "", call?.headers ?? {}).type).toBe("webhook.test");

    await page.getByRole("link", { name: /^we_/ }).click();
    await page.getByRole("table", { name: "Deliveries" }).getByText("200").waitFor();
    await shot("webhook-endpoint");
  });
});
