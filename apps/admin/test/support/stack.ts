// The whole system on loopback for the admin's tests: a throw-away Redis, the real API (Bun),
// optionally the real email worker (Bun) against the provider stand-in, and the built admin.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createNotifyClient, type NotifyClient } from "@notify/client";
import { freePort, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { ProviderStandIn } from "../../../workers/src/dev/provider-stand-in.ts";
import { exitedEarly, type Proc, startProcess } from "./processes.ts";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const ADMIN_DIR = join(ROOT, "apps/admin");
const BIN = join(ROOT, "node_modules/.bin");

export const ADMIN_TOKEN = "admin-token-for-admin-tests";
export const ADMIN_PASSWORD = "correct horse battery staple";
export const SESSION_SECRET = "session-secret-for-admin-tests-0123456789";

export interface Stack {
  redis: RedisServerHandle;
  apiUrl: string;
  api: NotifyClient;
  standIn: ProviderStandIn | null;
  adminUrl: string | null;
  /** Stops one process of the stack ("api", "email worker", "admin") to test outages. */
  kill(name: string): Promise<void>;
  stop(): Promise<void>;
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

export async function startStack(options: { worker?: boolean; admin?: boolean } = {}): Promise<Stack> {
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
      },
      ROOT,
    );
    procs.push(api);
    await ready(api, () => httpOk(`${apiUrl}/health`), "the API to listen");

    if (options.worker) {
      standIn = await new ProviderStandIn().start();
      const worker = startProcess(
        "email worker",
        join(BIN, "bun"),
        ["apps/workers/src/email-worker.ts"],
        { ...common, SENDGRID_API_KEY: "SG.test", SENDGRID_BASE_URL: standIn.url, MAX_ATTEMPTS: "2" },
        ROOT,
      );
      procs.push(worker);
      const client = createNotifyClient({ url: apiUrl, apiKey: ADMIN_TOKEN });
      await ready(
        worker,
        async () => (await client.workers.list.query({ queue: "email" })).length > 0,
        "the email worker",
      );
    }

    let adminUrl: string | null = null;
    if (options.admin) {
      const port = await freePort();
      adminUrl = `http://127.0.0.1:${port}`;
      const admin = startProcess(
        "admin",
        join(BIN, "remix-serve"),
        ["./build/server/index.js"],
        {
          NODE_ENV: "test",
          PORT: String(port),
          HOST: "127.0.0.1",
          API_URL: apiUrl,
          ADMIN_TOKEN,
          ADMIN_PASSWORD,
          SESSION_SECRET,
        },
        ADMIN_DIR,
      );
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
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
