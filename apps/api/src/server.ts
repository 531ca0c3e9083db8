// Bun entry: serve the fetch handler. SIGTERM/SIGINT stop accepting, let in-flight requests finish
// (bounded), close Redis and exit 0.
import {
  createTemplateRenderer,
  ConfigError as DeliveryConfigError,
  type DrainTargets,
  drainTargetsFor,
} from "@notify/delivery";
import { createRedis, redisUrlFromEnv, warnOnEvictionPolicy } from "@notify/queue";
import { startTracing } from "@notify/telemetry";
import { createApp, maxBodyBytes } from "./app.ts";
import { ConfigError, configFromEnv, serverSettingsFromEnv } from "./config.ts";

const SHUTDOWN_GRACE_MS = 10_000;

// The little of Bun's API used here, so the shared tsconfig needs no Bun type package.
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    maxRequestBodySize: number;
    fetch: (req: Request, server: { requestIP(req: Request): { address: string } | null }) => Promise<Response>;
  }): {
    url: URL;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

function loadOrExit() {
  try {
    return { config: configFromEnv(), settings: serverSettingsFromEnv() };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
const { config, settings } = loadOrExit();
// Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
const tracing = startTracing({ serviceName: "notify-api", env: settings.env });
if (config.apiKeys.length === 0 && !config.adminToken) {
  console.warn(
    JSON.stringify({ msg: "neither API_KEYS nor ADMIN_TOKEN is set: every procedure will answer UNAUTHORIZED" }),
  );
}
// Few retries per command: a request should fail fast to 503 rather than wait out an outage.
// Seed 001's QUEUE_REDIS_URL stands in for REDIS_URL; REDIS_URL wins when both are set.
const redis = createRedis(redisUrlFromEnv(settings.env), { maxRetriesPerRequest: 1 });
// ioredis reconnects by itself; one line per 10 s of outage is enough next to /health and the 503s.
let lastRedisWarning = 0;
redis.on("error", (error: Error) => {
  if (Date.now() - lastRedisWarning < 10_000) return;
  lastRedisWarning = Date.now();
  console.warn(JSON.stringify({ msg: "redis connection error", error: error.message }));
});

// An evicting policy silently drops queued jobs: say so loudly, once, as soon as Redis answers.
redis.once("ready", () => {
  void warnOnEvictionPolicy(redis, (message) =>
    console.warn(JSON.stringify({ level: "warn", msg: "REDIS WILL EVICT QUEUED JOBS", warning: message })),
  );
});

// workers.drain sends with the workers' own configuration (docs/workers.md), checked now and built
// on the first drain (MJML and the provider SDKs load only then). A bad value there only turns
// drain off: the API's own routes do not depend on it.
let drainTargets: DrainTargets | undefined;
try {
  drainTargets = drainTargetsFor({ redis, env: settings.env });
} catch (error) {
  if (!(error instanceof DeliveryConfigError)) throw error;
  console.warn(JSON.stringify({ msg: "workers.drain is off", reason: error.message }));
}
const templates = createTemplateRenderer({ appName: settings.appName, appUrl: settings.appUrl });

const fetch = createApp({ redis, config, drainTargets, templates });
function listen() {
  try {
    return Bun.serve({
      port: settings.port,
      // Loopback unless HOST says otherwise: exposing the API is a decision, not a default.
      hostname: settings.host,
      // The app checks each body against its own, far smaller bounds (see app.ts); this is only the
      // socket-level backstop.
      maxRequestBodySize: maxBodyBytes(config),
      // Looked up only by the routes that limit per client (most requests never ask).
      fetch: (req, bun) =>
        fetch(req, {
          get clientIp() {
            return bun.requestIP(req)?.address;
          },
        }),
    });
  } catch (error) {
    // A port in use or an address not on this machine: one line, like any other bad setting.
    process.stderr.write(
      `cannot listen on ${settings.host}:${settings.port}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    redis.disconnect();
    process.exit(1);
  }
}
const server = listen();
console.log(JSON.stringify({ msg: "api listening", url: server.url.href }));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ msg: "api stopping", signal }));
  const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
  await server.stop(false);
  await fetch.settle();
  await tracing?.shutdown();
  redis.disconnect();
  clearTimeout(force);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
