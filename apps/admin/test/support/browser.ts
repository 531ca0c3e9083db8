// Debian's chromium driven by playwright-core: never a browser of playwright's own download.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ADMIN_PASSWORD, ROOT } from "./stack.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "artifacts/screenshots");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Installs chromium through the project's bootstrap when missing; null when ready, else why not. */
export function chromiumProblem(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/ensure-chromium.mjs")], { encoding: "utf8" });
  if (run.status === 0 && existsSync(CHROMIUM)) return null;
  return `${CHROMIUM} is missing and could not be installed: ${(run.stderr || run.stdout).trim()}`;
}

/**
 * One headless chromium; playwright gives it a fresh temporary --user-data-dir and removes it on
 * close, so no state leaks between runs. Contexts (with or without JavaScript) are cheap.
 */
export async function launch(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export function newContext(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 860 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
}

/** Logs the page in through the login form, as an operator would, and waits for the overview. */
export async function logIn(page: Page, adminUrl: string): Promise<void> {
  await page.goto(`${adminUrl}/login`);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${adminUrl}/`);
}
