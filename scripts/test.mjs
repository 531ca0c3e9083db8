#!/usr/bin/env node
// `npm test`: installs what the tests need (redis-server, Debian's chromium), builds the admin,
// then runs every vitest project once. Extra arguments go to vitest (e.g. `npm test -- --project queue`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "./ensure-chromium.mjs";
import { ensureRedisBinaries } from "./lib/redis-binary.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

function run(command, commandArgs, what) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`\n${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

try {
  ensureRedisBinaries({ log: (line) => console.log(line) });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
if (!ensureChromium()) {
  console.error("The admin's browser tests need Debian's chromium (see above); stopping before the tests.");
  process.exit(1);
}
// The browser tests serve the production build of the admin.
run("npm", ["run", "build", "--workspace", "@notify/admin", "--silent"], "building the admin");

mkdirSync(join(ROOT, ".cache"), { recursive: true });
const report = join(ROOT, ".cache", "vitest-report.json");
const vitest = spawnSync(
  join(ROOT, "node_modules", ".bin", "vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args],
  { cwd: ROOT, stdio: "inherit", env: process.env },
);
if (existsSync(report)) {
  const {
    numPassedTests = 0,
    numFailedTests = 0,
    numPendingTests = 0,
    numTodoTests = 0,
  } = JSON.parse(readFileSync(report, "utf8"));
  console.log(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`);
}
process.exit(vitest.status ?? 1);
