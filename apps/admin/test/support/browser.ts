// Debian's chromium driven by playwright-core: never a browser of playwright's own download.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { ROOT } from "./stack.ts";

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

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile directory each time, so no state leaks between runs. */
export async function launch(options: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "notify-admin-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
