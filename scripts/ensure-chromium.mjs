#!/usr/bin/env node
// Makes sure Debian's chromium is present for the admin's browser tests.
// Tools must never fetch a browser of their own, so this is the one place it gets installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const INSTALL = "apt-get update && apt-get install -y chromium";

function works() {
  if (!existsSync(CHROMIUM_PATH)) return false;
  const r = spawnSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0;
}

export function ensureChromium() {
  if (works()) return true;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    console.error(`chromium is missing at ${CHROMIUM_PATH}; install it as root with:\n  ${INSTALL}`);
    return false;
  }
  console.log(`chromium is missing at ${CHROMIUM_PATH}; running: ${INSTALL}`);
  try {
    execFileSync("sh", ["-c", INSTALL], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch {
    console.error(`installing chromium failed; run this yourself as root:\n  ${INSTALL}`);
    return false;
  }
  return works();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = ensureChromium();
  if (ok) console.log(`chromium ready: ${CHROMIUM_PATH}`);
  process.exit(ok ? 0 : 1);
}
