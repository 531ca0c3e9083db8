// Bun entry: serve the fetch handler. SIGTERM/SIGINT stop accepting, let in-flight requests finish
// (bounded), close Redis and exit 0.
import { createRedis } from "@notify/queue";
import { ConfigError, createDrainHandlers, createTemplateRenderer, type DrainTarget } from "@notify/workers";
import { createApp } from "./app.ts";
import { configFromEnv } from "./config.ts";

const SHUTDOWN_GRACE_MS = 10_000;

// The little of Bun's API used here, so the shared tsconfig needs no Bun type package.
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    maxRequestBodySize: number;
    fetch: (req: Request) => Promise<Response>;
  }): {
    url: URL;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

const config = configFromEnv();
if (config.apiKeys.length === 0 && !config.adminToken) {
  console.warn(
    JSON.stringify({ msg: "neither API_KEYS nor ADMIN_TOKEN is set: every procedure will answer UNAUTHORIZED" }),
  );
}
// Few retries per command: a request should fail fast to 503 rather than wait out an outage.
const redis = createRedis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
// ioredis reconnects by itself; one line per 10 s of outage is enough next to /health and the 503s.
let lastRedisWarning = 0;
redis.on("error", (error: Error) => {
  if (Date.now() - lastRedisWarning < 10_000) return;
  lastRedisWarning = Date.now();
  console.warn(JSON.stringify({ msg: "redis connection error", error: error.message }));
});

// worker.drain sends with the workers' own configuration (docs/workers.md). A bad value there only
// turns drain off: the API's own routes do not depend on it.
let handlers: Record<string, DrainTarget> | undefined;
try {
  handlers = await createDrainHandlers({ redis, env: process.env });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.warn(JSON.stringify({ msg: "worker.drain is off", reason: error.message }));
}
const templates = createTemplateRenderer({
  appName: process.env.APP_NAME || undefined,
  appUrl: process.env.APP_URL || undefined,
});

const fetch = createApp({ redis, config, handlers, templates });
const server = Bun.serve({
  port: Number(process.env.PORT ?? 4000),
  hostname: process.env.HOST ?? "127.0.0.1",
  // A 100,000-recipient batch is a few MB; anything far larger is not a request we serve.
  maxRequestBodySize: 32 * 1024 * 1024,
  fetch,
});
console.log(JSON.stringify({ msg: "api listening", url: server.url.href }));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ msg: "api stopping", signal }));
  const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
  await server.stop(false);
  await fetch.settle();
  redis.disconnect();
  clearTimeout(force);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
