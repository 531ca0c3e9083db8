// `npm start`: the embedded Redis (unless REDIS_URL is set) and every Procfile process.
//
//   npm start                         every line of ./Procfile
//   npm start -- email=2 sms events   only these lines, email twice
//   npm start -- --procfile FILE      another Procfile
//
// The runner (concurrently's API) forwards SIGTERM/SIGINT/SIGHUP to every process and waits for
// all of them; each Procfile line starts with `exec`, so the signal reaches the program itself and
// not a shell. Whatever has not exited STOP_TIMEOUT_MS after the signal is SIGKILLed, so nothing
// outlives this process. If a process fails, the others are stopped too (foreman's behaviour).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { concurrently } from "concurrently";
import { ensureEmbeddedRedis, stopEmbeddedRedis } from "./redis.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STOP_TIMEOUT_MS = Number(process.env.STOP_TIMEOUT_MS ?? 20_000);

/** `name: command` lines; blank lines and # comments are skipped. */
export function parseProcfile(text) {
  const entries = [];
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line.trim());
    if (match) entries.push({ name: match[1], command: match[2] });
  }
  return entries;
}

function parseArgs(argv) {
  let procfile = join(ROOT, "Procfile");
  const wanted = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--procfile") procfile = resolve(argv[++i] ?? "");
    else {
      const [name, count = "1"] = arg.split("=");
      const n = Number(count);
      if (!name || !Number.isInteger(n) || n < 1)
        throw new Error(`bad process selection ${JSON.stringify(arg)}: use name or name=count`);
      wanted.set(name, n);
    }
  }
  return { procfile, wanted };
}

/**
 * Outside production, a fresh clone must come up usable with no configuration: whatever secret is
 * not set gets a development value, printed once so the admin can be logged into. In production
 * nothing is filled in and each process stops with a line naming what is missing.
 */
export function developmentDefaults() {
  if (process.env.NODE_ENV === "production") return {};
  const defaults = {
    // The one mark of development mode: the API's dev routes and tools exist only where it is set,
    // and processes whose runner sets NODE_ENV itself (the admin's server defaults it to
    // production for React) apply production's checks without it.
    NOTIFY_DEV: "1",
    API_KEYS: "dev-service-key",
    ADMIN_TOKEN: "dev-admin-token",
    ADMIN_PASSWORD: "admin",
    SESSION_SECRET: "development-session-secret-not-for-production",
    API_URL: `http://127.0.0.1:${process.env.PORT ?? 4000}`,
    OUTBOX_DIR: join(ROOT, ".data", "outbox"),
  };
  const filled = Object.fromEntries(Object.entries(defaults).filter(([name]) => !process.env[name]));
  const shown = ["API_KEYS", "ADMIN_PASSWORD"].filter((name) => name in filled);
  if (shown.length > 0) {
    process.stderr.write(
      `start: development values (set them in the environment for anything real): ${shown.map((n) => `${n}=${filled[n]}`).join(" ")}\n`,
    );
  }
  return filled;
}

/** The admin is served from its production build; build it when missing or older than its sources. */
function ensureAdminBuild() {
  const built = join(ROOT, "apps", "admin", "build", "server", "index.js");
  const newestSource = newestMtime(join(ROOT, "apps", "admin", "app"));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  process.stderr.write("start: building the admin (apps/admin)...\n");
  const result = spawnSync("npm", ["run", "build", "--workspace", "@notify/admin", "--silent"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("building the admin failed (see above)");
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function main() {
  const { procfile, wanted } = parseArgs(process.argv.slice(2));
  const entries = parseProcfile(readFileSync(procfile, "utf8"));
  for (const name of wanted.keys()) {
    if (!entries.some((e) => e.name === name)) throw new Error(`${procfile} has no process named ${name}`);
  }
  const selected = entries.flatMap((entry) => {
    const count = wanted.size === 0 ? 1 : (wanted.get(entry.name) ?? 0);
    return Array.from({ length: count }, (_, i) => ({
      ...entry,
      name: count > 1 ? `${entry.name}.${i + 1}` : entry.name,
    }));
  });

  const redis = await ensureEmbeddedRedis();
  if (selected.some((entry) => entry.name.startsWith("admin"))) ensureAdminBuild();
  const env = {
    ...developmentDefaults(),
    REDIS_URL: redis.url,
    PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH].join(delimiter),
  };
  const { result, commands } = concurrently(
    selected.map((entry) => ({ name: entry.name, command: entry.command, env, cwd: ROOT })),
    { prefix: "name", killOthersOn: ["failure"], killTimeout: STOP_TIMEOUT_MS, handleInput: false },
  );

  let stopTimer;
  const onSignal = (signal) => {
    process.stderr.write(`start: ${signal}, stopping ${selected.length} processes\n`);
    stopTimer ??= setTimeout(() => {
      for (const command of commands) if (command.pid && command.exited === false) command.kill("SIGKILL");
    }, STOP_TIMEOUT_MS);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, onSignal);
  // A wrapper shell that does not exec (dash under `npm start`) dies on SIGTERM without passing
  // it on; losing our parent is then the only sign, and it means the same thing.
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(parentWatch);
    onSignal("parent exit");
    for (const command of commands) command.kill("SIGTERM");
  }, 250);

  let code = 0;
  try {
    await result;
  } catch (closeEvents) {
    const failed = Array.isArray(closeEvents) ? closeEvents.find((e) => e.exitCode !== 0 && !e.killed) : null;
    code = failed ? 1 : 0;
  }
  clearTimeout(stopTimer);
  clearInterval(parentWatch);
  // A server this run started is stopped again; one that was already running stays up.
  if (redis.embedded && !redis.reused) await stopEmbeddedRedis().catch((error) => process.stderr.write(`${error}\n`));
  process.exit(code);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`start: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
}
