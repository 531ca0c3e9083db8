// The project's embedded Redis: with no REDIS_URL, a project-local redis-server on a port of its own
// (default 6390, never the 6379 someone else may run), AOF on, data under .data/redis, daemonized and
// reused across runs. With REDIS_URL set, that server is used and nothing is started.
//
//   node scripts/redis.mjs start|stop|status|url
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureRedisBinaries } from "@notify/testing/redis-binary";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";

export function embeddedRedisConfig(env = process.env) {
  const port = Number(env.NOTIFY_REDIS_PORT ?? 6390);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`NOTIFY_REDIS_PORT must be a TCP port, got ${JSON.stringify(env.NOTIFY_REDIS_PORT)}`);
  }
  // NOTIFY_REDIS_DIR lets a test run a second embedded server without touching the real data.
  const dir = env.NOTIFY_REDIS_DIR ? resolve(env.NOTIFY_REDIS_DIR) : join(ROOT, ".data", "redis");
  return {
    host: HOST,
    port,
    dir,
    pidfile: join(dir, "redis.pid"),
    logfile: join(dir, "redis.log"),
    url: `redis://${HOST}:${port}`,
  };
}

function cli(binaries, port, args, timeoutMs = 2000) {
  return spawnSync(binaries.cli, ["-h", HOST, "-p", String(port), ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
}

function answersPing(binaries, port) {
  const reply = cli(binaries, port, ["PING"]);
  return reply.status === 0 && reply.stdout.trim() === "PONG";
}

function readPid(pidfile) {
  if (!existsSync(pidfile)) return null;
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sleep(ms) {
  await new Promise((r) => setTimeout(r, ms));
}

/** REDIS_URL, else seed 001's QUEUE_REDIS_URL, else seed 003's REDIS_ADDR (as packages/queue's redisUrlFromEnv reads them). */
export function givenRedisUrl(env = process.env) {
  const addr = env.REDIS_ADDR?.trim();
  return env.REDIS_URL?.trim() || env.QUEUE_REDIS_URL?.trim() || (addr ? `redis://${addr}` : undefined);
}

/** Starts (or reuses) the project-local redis-server unless REDIS_URL (or QUEUE_REDIS_URL) is set; returns the URL to use. */
export async function ensureEmbeddedRedis({ env = process.env, log = console.error } = {}) {
  const given = givenRedisUrl(env);
  if (given) return { url: given, embedded: false };
  const config = embeddedRedisConfig(env);
  const binaries = ensureRedisBinaries({ log });
  if (answersPing(binaries, config.port)) return { url: config.url, embedded: true, reused: true };

  mkdirSync(config.dir, { recursive: true });
  execFileSync(
    binaries.server,
    [
      "--port",
      String(config.port),
      "--bind",
      HOST,
      "--dir",
      config.dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--daemonize",
      "yes",
      "--pidfile",
      config.pidfile,
      "--logfile",
      config.logfile,
    ],
    { stdio: "inherit" },
  );
  // A daemonized server forks before it loads the AOF; wait until it actually answers.
  const deadline = Date.now() + 15_000;
  while (!answersPing(binaries, config.port)) {
    if (Date.now() > deadline) {
      const tail = existsSync(config.logfile)
        ? readFileSync(config.logfile, "utf8").split("\n").slice(-10).join("\n")
        : "";
      throw new Error(
        `embedded redis-server on ${config.url} did not answer PING within 15 s; log ${config.logfile}:\n${tail}`,
      );
    }
    await sleep(50);
  }
  log(`embedded redis-server started on ${config.url} (data ${config.dir})`);
  return { url: config.url, embedded: true, reused: false };
}

/** SHUTDOWN through redis-cli so the AOF is flushed; waits for the process to be gone. */
export async function stopEmbeddedRedis({ env = process.env, log = console.error } = {}) {
  const config = embeddedRedisConfig(env);
  const binaries = ensureRedisBinaries({ log });
  const pid = readPid(config.pidfile);
  if (!answersPing(binaries, config.port)) {
    log(`embedded redis-server is not running on ${config.url}`);
    return false;
  }
  cli(binaries, config.port, ["SHUTDOWN"], 10_000);
  const deadline = Date.now() + 15_000;
  // redis-server removes its pidfile as the last step of a clean shutdown (a zombie would still pass kill -0).
  while ((pid !== null && isAlive(pid) && existsSync(config.pidfile)) || answersPing(binaries, config.port)) {
    if (Date.now() > deadline) throw new Error(`embedded redis-server on ${config.url} did not stop within 15 s`);
    await sleep(50);
  }
  log(`embedded redis-server on ${config.url} stopped`);
  return true;
}

export function embeddedRedisStatus({ env = process.env } = {}) {
  const config = embeddedRedisConfig(env);
  const binaries = ensureRedisBinaries();
  return { ...config, running: answersPing(binaries, config.port), pid: readPid(config.pidfile) };
}

async function main(command) {
  switch (command) {
    case "start": {
      const { url } = await ensureEmbeddedRedis();
      console.log(url);
      return 0;
    }
    case "stop":
      if (givenRedisUrl()) console.error("REDIS_URL is set: stopping only the embedded server, if any");
      await stopEmbeddedRedis();
      return 0;
    case "status": {
      const given = givenRedisUrl();
      if (given) console.log(`REDIS_URL is set: the embedded server is not used (${redactUrl(given)})`);
      const status = embeddedRedisStatus();
      console.log(
        status.running
          ? `running on ${status.url} (pid ${status.pid ?? "unknown"}, data ${status.dir})`
          : `not running (would use ${status.url}, data ${status.dir})`,
      );
      return status.running ? 0 : 3;
    }
    case "url":
      console.log(givenRedisUrl() ?? embeddedRedisConfig().url);
      return 0;
    default:
      console.error("usage: node scripts/redis.mjs start|stop|status|url");
      return 2;
  }
}

function redactUrl(url) {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
