// The whole system on loopback for the admin's tests: a throw-away Redis, the real API (Bun),
// optionally the real email worker (Bun) against the provider stand-in, and the built admin, each
// started with its own line of the Procfile.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { createNotifyClient, type NotifyClient } from "@notify/client";
import { freePort, ProviderStandIn, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { exitedEarly, type Proc, startProcess } from "./processes.ts";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const ADMIN_DIR = join(ROOT, "apps/admin");
const BIN = join(ROOT, "node_modules/.bin");

export const ADMIN_TOKEN = "admin-token-for-admin-tests-0123456789";
export const ADMIN_PASSWORD = "correct horse battery staple";
export const SESSION_SECRET = "session-secret-for-admin-tests-0123456789";

export interface Stack {
  redis: RedisServerHandle;
  apiUrl: string;
  api: NotifyClient;
  standIn: ProviderStandIn | null;
  adminUrl: string | null;
  /** Stops one process of the stack ("api", "email", "admin") to test outages. */
  kill(name: string): Promise<void>;
  /** What one process of the stack printed so far (the last 20,000 characters). */
  logs(name: string): string;
  stop(): Promise<void>;
}

/** The command of one Procfile line, so the tests start exactly what `npm start` starts. */
export function procfileCommand(name: string): string {
  for (const line of readFileSync(join(ROOT, "Procfile"), "utf8").split("\n")) {
    const match = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line.trim());
    if (match?.[1] === name && match[2]) return match[2];
  }
  throw new Error(`no "${name}" line in the Procfile`);
}

function startFromProcfile(name: string, env: Record<string, string>): Proc {
  const path = `${BIN}${delimiter}${process.env.PATH ?? ""}`;
  return startProcess(name, "sh", ["-c", procfileCommand(name)], { ...env, PATH: path }, ROOT);
}

async function ready(proc: Proc, check: () => Promise<boolean>, what: string): Promise<void> {
  await Promise.race([waitFor(check, { timeoutMs: 30_000, intervalMs: 100, message: what }), exitedEarly(proc)]);
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status < 500;
  } catch {
    return false;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when build/ is missing or older than the app's sources. */
export function adminBuildIsStale(): boolean {
  const server = join(ADMIN_DIR, "build/server/index.js");
  if (!existsSync(server)) return true;
  return newestMtime(join(ADMIN_DIR, "app")) > statSync(server).mtimeMs;
}

export interface StackOptions {
  worker?: boolean;
  admin?: boolean;
  /** Extra environment of the email worker (e.g. a short retry delay). */
  workerEnv?: Record<string, string>;
  /** Also run the webhooks worker (status webhooks). */
  webhooks?: boolean;
  /** Extra environment of the admin process (overrides the test defaults). */
  adminEnv?: Record<string, string>;
  /** Extra environment of the API process (overrides the test defaults). */
  apiEnv?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const procs: Proc[] = [];
  const redis = await startRedisServer();
  let standIn: ProviderStandIn | null = null;
  const stop = async () => {
    for (const proc of procs.reverse()) await proc.stop();
    await standIn?.stop();
    await redis.stop();
  };
  try {
    const common = { REDIS_URL: redis.url, NODE_ENV: "test", LOG_LEVEL: "warn" };
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = startProcess(
      "api",
      join(BIN, "bun"),
      ["apps/api/src/server.ts"],
      {
        ...common,
        PORT: String(apiPort),
        HOST: "127.0.0.1",
        ADMIN_TOKEN,
        API_KEYS: "",
        HEALTH_REQUIRE_WORKERS: "false",
        // Development mode, as `npm start` marks it: the dev tools page drives tools.*.
        NOTIFY_DEV: "1",
        ...options.apiEnv,
      },
      ROOT,
    );
    procs.push(api);
    await ready(api, () => httpOk(`${apiUrl}/health`), "the API to listen");

    if (options.worker) {
      standIn = await new ProviderStandIn().start();
      const worker = startFromProcfile("email", {
        ...common,
        SENDGRID_API_KEY: "SG.test",
        SENDGRID_BASE_URL: standIn.url,
        MAX_ATTEMPTS: "2",
        ...options.workerEnv,
      });
      procs.push(worker);
      const client = createNotifyClient({ url: apiUrl, apiKey: ADMIN_TOKEN });
      await ready(
        worker,
        async () => (await client.workers.list.query({ queue: "email" })).length > 0,
        "the email worker",
      );
    }

    if (options.webhooks) {
      const webhooks = startFromProcfile("webhooks", { ...common, LOG_LEVEL: "info" });
      procs.push(webhooks);
      await ready(webhooks, async () => webhooks.logs().includes("worker started"), "the webhooks worker");
    }

    let adminUrl: string | null = null;
    if (options.admin) {
      const port = await freePort();
      adminUrl = `http://127.0.0.1:${port}`;
      const admin = startFromProcfile("admin", {
        NODE_ENV: "test",
        PORT: String(port),
        HOST: "127.0.0.1",
        API_URL: apiUrl,
        ADMIN_TOKEN,
        ADMIN_PASSWORD,
        SESSION_SECRET,
        ...options.adminEnv,
      });
      procs.push(admin);
      await ready(admin, () => httpOk(`${adminUrl}/healthcheck`), "the admin to serve");
    }
    const kill = async (name: string) => {
      await procs.find((p) => p.name === name)?.stop();
    };
    return {
      redis,
      apiUrl,
      api: createNotifyClient({ url: apiUrl, apiKey: ADMIN_TOKEN }),
      standIn,
      adminUrl,
      kill,
      logs: (name: string) => procs.find((p) => p.name === name)?.logs() ?? "",
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
