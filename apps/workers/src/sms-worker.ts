// SMS worker: `bun apps/workers/src/sms-worker.ts`. OTP jobs are pushed urgent, so they overtake
// any backlog. See docs/workers.md for the environment.
import { loadSmsConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

await runWorker({ channel: "sms", loadConfig: () => loadSmsConfig() });
