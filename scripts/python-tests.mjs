// The Python client's tests (clients/python, pytest) for `npm test`: a virtualenv in .cache/venv,
// the client installed into it as a user would (`pip install ./clients/python`, from the machine's
// configured index) plus pytest, reinstalled only when the client's files change.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const CLIENT = "clients/python";

/** Everything pip would package: a change to any of them needs a reinstall. */
function clientHash(root) {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === "__pycache__" || name.endsWith(".egg-info") || name === "tests" || name === "build") continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  walk(join(root, CLIENT));
  return hash.digest("hex");
}

const quiet = (command, args, cwd) => spawnSync(command, args, { cwd, encoding: "utf8" });

/**
 * Returns the venv's python, creating and filling the venv when needed, or throws an Error whose
 * message is the one line to show (what is missing and how to get it).
 */
export function ensurePythonEnv(root) {
  if (quiet("python3", ["--version"], root).status !== 0) {
    throw new Error(
      "python3 is missing: the Python client's tests need it (sudo apt-get install -y python3 python3-venv)",
    );
  }
  const venv = join(root, ".cache", "venv");
  const python = join(venv, "bin", "python");
  if (!existsSync(python)) {
    const created = quiet("python3", ["-m", "venv", venv], root);
    if (created.status !== 0) {
      rmSync(venv, { recursive: true, force: true });
      throw new Error("python3 -m venv failed: install the venv module (sudo apt-get install -y python3-venv)");
    }
  }
  const stamp = join(venv, ".notify-client-hash");
  const wanted = clientHash(root);
  const current = existsSync(stamp) ? readFileSync(stamp, "utf8") : "";
  if (current !== wanted || quiet(python, ["-c", "import notify_queue, pytest"], root).status !== 0) {
    console.log(`installing ${CLIENT} and pytest into .cache/venv ...`);
    const pip = spawnSync(
      python,
      // No retries: an index this machine cannot reach (PyPI, where only a local index is
      // configured beside it) then costs one failed lookup per package instead of minutes of backoff.
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--retries",
        "0",
        "--timeout",
        "10",
        `./${CLIENT}`,
        "pytest",
      ],
      { cwd: root, stdio: "inherit" },
    );
    if (pip.status !== 0) throw new Error(`pip install ./${CLIENT} pytest failed (exit ${pip.status}): see above`);
    writeFileSync(stamp, wanted);
  }
  return python;
}

/** Runs pytest; returns its counts from the JUnit report (xfail and skips count as skipped). */
export function runPytest(root, python) {
  const report = join(root, ".cache", "pytest-report.xml");
  rmSync(report, { force: true });
  const result = spawnSync(
    python,
    ["-m", "pytest", `${CLIENT}/tests`, "-q", "-p", "no:cacheprovider", `--junitxml=${report}`],
    { cwd: root, stdio: "inherit", env: process.env },
  );
  const counts = { passed: 0, failed: 0, skipped: 0, ok: result.status === 0 };
  if (!existsSync(report)) {
    counts.failed = 1;
    return counts;
  }
  const suite = /<testsuite\b[^>]*>/.exec(readFileSync(report, "utf8"))?.[0] ?? "";
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  counts.failed = attr("failures") + attr("errors");
  counts.skipped = attr("skipped");
  counts.passed = attr("tests") - counts.failed - counts.skipped;
  return counts;
}
