#!/usr/bin/env node
// `npm test`: installs what the tests need (redis-server, Debian's chromium, a virtualenv for the
// Python client), builds the admin, then runs every vitest project once and the Python client's
// pytest suite. Extra arguments go to vitest (e.g. `npm test -- --project queue`) and then only
// vitest runs; `--project python` selects the pytest suite.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureRedisBinaries } from "@notify/testing/redis-binary";
import { ensureChromium } from "./ensure-chromium.mjs";
import { ensurePythonEnv, runPytest } from "./python-tests.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const given = process.argv.slice(2);

/** `--project python` (or `--project=python`) is the pytest suite; every other argument is vitest's. */
function splitArgs(list) {
  const vitestArgs = [];
  let python = list.length === 0;
  let otherProject = false;
  for (let i = 0; i < list.length; i++) {
    const arg = list[i] ?? "";
    const project = arg === "--project" ? list[i + 1] : arg.startsWith("--project=") ? arg.slice(10) : undefined;
    if (project === "python") {
      python = true;
      if (arg === "--project") i++;
      continue;
    }
    if (project !== undefined) otherProject = true;
    vitestArgs.push(arg);
  }
  const vitest = list.length === 0 || otherProject || (vitestArgs.length > 0 && !python);
  return { vitestArgs, vitest, python };
}
const { vitestArgs: args, vitest: runVitest, python: runPython } = splitArgs(given);
const PACKAGING_TEST = "test/packaging.test.ts";

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
if (runVitest && !ensureChromium()) {
  console.error("The admin's browser tests need Debian's chromium (see above); stopping before the tests.");
  process.exit(1);
}
mkdirSync(join(ROOT, ".cache"), { recursive: true });
let python = null;
if (runPython) {
  try {
    python = ensurePythonEnv(ROOT);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0, failedFiles: [] };
let ok = true;
if (runVitest) {
  // The browser tests serve the production build of the admin.
  run("npm", ["run", "build", "--workspace", "@notify/admin", "--silent"], "building the admin");
  const vitestRun = (name, runArgs) => {
    const report = join(ROOT, ".cache", `${name}.json`);
    rmSync(report, { force: true });
    const vitest = spawnSync(
      join(ROOT, "node_modules", ".bin", "vitest"),
      ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...runArgs],
      { cwd: ROOT, stdio: "inherit", env: process.env },
    );
    ok &&= vitest.status === 0;
    if (existsSync(report)) {
      const {
        numPassedTests = 0,
        numFailedTests = 0,
        numPendingTests = 0,
        numTodoTests = 0,
        testResults = [],
      } = JSON.parse(readFileSync(report, "utf8"));
      totals.passed += numPassedTests;
      totals.failed += numFailedTests;
      totals.skipped += numPendingTests + numTodoTests;
      // A file whose setup failed (beforeAll) fails with its tests only skipped: count it too, so
      // the summary never says "0 failed" for a failed run.
      for (const file of testResults) {
        const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed").length;
        if (file.status === "failed" && failedTests === 0) totals.failedFiles.push(file.name.replace(`${ROOT}/`, ""));
      }
    }
  };
  if (args.length > 0) vitestRun("vitest-report", args);
  else {
    // The packaging test runs `npm pack`, whose prepack points the packages' manifests at dist/
    // while it builds: anything resolving @notify/queue meanwhile (a Bun process another test
    // spawns) would load a half-built dist/. So it runs alone, after the rest.
    vitestRun("vitest-report", ["--exclude", "**/packaging.test.ts"]);
    vitestRun("vitest-packaging-report", [PACKAGING_TEST]);
  }
}
if (python) {
  const counts = runPytest(ROOT, python);
  ok &&= counts.ok;
  console.log(`\npython client (pytest) ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}
const setupFailures = totals.failedFiles.length
  ? `; ${totals.failedFiles.length} file(s) failed in their setup: ${totals.failedFiles.join(", ")}`
  : "";
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${setupFailures}`);
process.exit(ok ? 0 : 1);
