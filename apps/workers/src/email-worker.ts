// Email worker: `bun apps/workers/src/email-worker.ts`. See docs/workers.md for the environment.
import { loadEmailConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

await runWorker({ channel: "email", loadConfig: () => loadEmailConfig() });
