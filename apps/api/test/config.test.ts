// One way to configure the API: one schema, read once, one line and exit 1 for a bad value, real
// secrets in production, loopback unless HOST says otherwise. The real Bun entry is spawned.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, configFromEnv, parseServiceKey } from "../src/config.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

const GOOD = {
  ADMIN_TOKEN: "a".repeat(32),
  API_KEYS: `shop:${"k".repeat(24)}`,
  TRACKING_SECRET: "t".repeat(32),
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  child: ChildProcess;
}

/** Starts the entry and resolves when it exits or says it listens (then it is still running). */
function runServer(env: Record<string, string>): Promise<Run> {
  const child = spawn(`${ROOT}node_modules/.bin/bun`, [`${ROOT}apps/api/src/server.ts`], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`neither exited nor listened:\n${stdout}${stderr}`));
    }, 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"api listening"')) {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr, child });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, child });
    });
  });
}

async function expectRefusal(env: Record<string, string>, line: RegExp): Promise<void> {
  const run = await runServer(env);
  expect(run.code, `${run.stdout}${run.stderr}`).toBe(1);
  expect(run.stdout).toBe("");
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^invalid configuration: /);
  expect(lines[0]).toMatch(line);
  expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
}

let redisServer: RedisServerHandle;
beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  await redisServer?.stop();
});

describe("a bad variable is one line and exit 1", () => {
  it.each([
    ["a port that is not a number", { PORT: "abc" }, /PORT must be an integer from 0 to 65535/],
    ["a port out of range", { PORT: "70000" }, /PORT must be an integer from 0 to 65535/],
    ["a fractional timeout", { API_REDIS_TIMEOUT_MS: "1.5" }, /API_REDIS_TIMEOUT_MS must be an integer/],
    ["a timeout with a unit", { API_REDIS_TIMEOUT_MS: "10ms" }, /API_REDIS_TIMEOUT_MS must be an integer/],
    ["a flag that is neither", { HEALTH_REQUIRE_WORKERS: "maybe" }, /HEALTH_REQUIRE_WORKERS must be true or false/],
    ["a Redis URL without a scheme", { REDIS_URL: "localhost:6379" }, /REDIS_URL must be a redis:\/\//],
    ["a job bound that is not a size", { MAX_JOB_BYTES: "big" }, /MAX_JOB_BYTES must be an integer/],
    ["a host that is no address", { HOST: "not a host!" }, /HOST must be an IP address or a host name/],
  ])("%s", async (_name, env, line) => {
    await expectRefusal({ ...env }, line);
  });

  it("a port already in use is one line and exit 1", async () => {
    const { TRACKING_SECRET: _unused, ...keys } = GOOD;
    const run = await runServer({ ...keys, PORT: String(redisServer.port), REDIS_URL: redisServer.url });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${redisServer.port}: `));
  });
});

describe("NODE_ENV=production demands real secrets", () => {
  const production = (env: Record<string, string>) => ({ NODE_ENV: "production", REDIS_URL: redisServer.url, ...env });
  it.each([
    ["no ADMIN_TOKEN", { ...GOOD, ADMIN_TOKEN: "" }, /ADMIN_TOKEN is required in production/],
    ["ADMIN_TOKEN=a", { ...GOOD, ADMIN_TOKEN: "a" }, /ADMIN_TOKEN is too short for production: at least 32/],
    ["no API_KEYS", { ...GOOD, API_KEYS: "" }, /API_KEYS is required in production/],
    [
      "one short API key among good ones",
      { ...GOOD, API_KEYS: `${"k".repeat(24)},billing:short` },
      /API_KEYS key 2 \(tenant billing\) is too short for production: at least 24/,
    ],
    [
      "TRACKING_SECRET=x",
      { ...GOOD, TRACKING_SECRET: "x" },
      /TRACKING_SECRET is too short for production: at least 32/,
    ],
    [
      "tracking on without a secret",
      { ...GOOD, TRACKING_SECRET: "", TRACKING_BASE_URL: "https://t.example.com" },
      /TRACKING_SECRET is required in production when tracking is on/,
    ],
  ])("refuses %s", async (_name, env, line) => {
    await expectRefusal(production(env), line);
  });

  it("applies when NODE_ENV is not set at all, and says why", async () => {
    await expectRefusal(
      { REDIS_URL: redisServer.url, ...GOOD, ADMIN_TOKEN: "short" },
      /ADMIN_TOKEN is too short for production.*\(NODE_ENV is not set, which means production/,
    );
  });

  it("starts with real secrets, on 127.0.0.1 when HOST is unset, and never names a secret", async () => {
    const port = await freePort();
    const run = await runServer(production({ ...GOOD, PORT: String(port), HEALTH_REQUIRE_WORKERS: "false" }));
    try {
      expect(run.code, run.stderr).toBeNull();
      expect(run.stdout).toContain(`"url":"http://127.0.0.1:${port}/"`);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      // Development tools do not exist in production.
      const tools = await fetch(`http://127.0.0.1:${port}/queue/test`, { method: "POST" });
      expect(tools.status).toBe(404);
      expect(run.stdout + run.stderr).not.toContain(GOOD.ADMIN_TOKEN);
    } finally {
      run.child.kill("SIGTERM");
    }
  });
});

describe("configFromEnv", () => {
  it("is production unless NODE_ENV says development or npm start marks it with NOTIFY_DEV", () => {
    expect(() => configFromEnv({})).toThrow(
      /ADMIN_TOKEN is required in production \(.*\) \(NODE_ENV is not set, which means production/,
    );
    expect(configFromEnv({ ...GOOD }).production).toBe(true);
    expect(configFromEnv({ ...GOOD }).dev).toBe(false);
    expect(configFromEnv({ ...GOOD, NODE_ENV: "production", NOTIFY_DEV: "1" }).dev).toBe(false);
    expect(configFromEnv({ NODE_ENV: "development" }).dev).toBe(true);
    expect(configFromEnv({ NODE_ENV: "test" }).dev).toBe(true);
    expect(configFromEnv({ NOTIFY_DEV: "1" }).dev).toBe(true);
    const start = readFileSync(join(ROOT, "scripts/start.mjs"), "utf8");
    expect(start).toMatch(/NOTIFY_DEV: "1"/);
  });

  it("refuses a viewer token equal to the admin token or a service key, and a short one in production", () => {
    const dev = { NODE_ENV: "test", ADMIN_TOKEN: "a".repeat(32), API_KEYS: "shop:key-for-the-shop" };
    expect(() => configFromEnv({ ...dev, ADMIN_VIEWER_TOKEN: "a".repeat(32) })).toThrow(
      /ADMIN_VIEWER_TOKEN must differ/,
    );
    expect(() => configFromEnv({ ...dev, ADMIN_VIEWER_TOKEN: "key-for-the-shop" })).toThrow(
      /ADMIN_VIEWER_TOKEN must differ/,
    );
    expect(configFromEnv({ ...dev, ADMIN_VIEWER_TOKEN: "v".repeat(32) }).adminViewerToken).toBe("v".repeat(32));
    expect(() => configFromEnv({ ...GOOD, NODE_ENV: "production", ADMIN_VIEWER_TOKEN: "short" })).toThrow(
      /ADMIN_VIEWER_TOKEN is too short/,
    );
  });

  it("names tenants by `name:key` or by a hash of the key, never by the key", () => {
    expect(parseServiceKey("shop:abc")).toEqual({ tenant: "shop", key: "abc" });
    const bare = parseServiceKey("a-bare-service-key");
    expect(bare.key).toBe("a-bare-service-key");
    expect(bare.tenant).toMatch(/^key-[0-9a-f]{12}$/);
    expect(bare.tenant).not.toContain("bare");
    expect(() => configFromEnv({ NODE_ENV: "test", API_KEYS: "shop:one,shop:two" })).toThrow(/names a tenant twice/);
    expect(ConfigError).toBeDefined();
  });

  it("is the only module of apps/api that reads process.env", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          path.endsWith(".ts") &&
          !path.endsWith("config.ts") &&
          readFileSync(path, "utf8").includes("process.env")
        )
          offenders.push(path);
      }
    };
    walk(SRC);
    expect(offenders).toEqual([]);
  });
});
