// Finds redis-server and redis-cli; installs them on Debian when running as root, otherwise
// stops with the exact command to run. Plain ESM, so the bootstrap scripts (scripts/*.mjs, run by
// Node before anything is built) share it with the tests as @notify/testing/redis-binary.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATE_DIRS = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"];

function which(name) {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  for (const dir of CANDIDATE_DIRS) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}

export function findRedisBinaries() {
  const server = which("redis-server");
  const cli = which("redis-cli");
  return server && cli ? { server, cli } : null;
}

export function ensureRedisBinaries({ log = console.error } = {}) {
  const found = findRedisBinaries();
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && which("apt-get")) {
    log("redis-server is missing: installing it with apt-get (Debian package redis-server)...");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "redis-server"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    const installed = findRedisBinaries();
    if (installed) return installed;
  }
  throw new Error(
    "redis-server is not installed. Install it with: sudo apt-get install -y redis-server " +
      "(macOS: brew install redis), or set REDIS_URL to a server you run yourself.",
  );
}
