// Email-events worker (seed 000): `bun apps/workers/src/events-worker.ts`. Consumes the
// "email_events" queue (fed by the API's provider webhooks and tracking routes).
import { loadEventsConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

await runWorker({ channel: "events", loadConfig: () => loadEventsConfig() });
