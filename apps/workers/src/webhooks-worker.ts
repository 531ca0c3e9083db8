// Status webhooks worker: `bun apps/workers/src/webhooks-worker.ts`. Consumes the "webhooks"
// queue (fed by the email, SMS and events workers when a message's status changes) and POSTs
// each event, signed, to the application's endpoints.
import { loadWebhooksConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

await runWorker({ channel: "webhooks", loadConfig: () => loadWebhooksConfig() });
