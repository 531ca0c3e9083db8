// Campaign throughput for `npm run bench`: one email worker process (Bun) sending a campaign in
// SendGrid batches to the provider stand-in answering in 50 ms. Last line: {"deliverBatchPerSec":N}.
//
//   node scripts/bench-deliver-batch.mjs [--recipients N] [--concurrency N] [--latency-ms N]
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(
  join(ROOT, "node_modules", ".bin", "bun"),
  [join(ROOT, "apps/workers/dev/bench-deliver-batch.ts"), ...process.argv.slice(2)],
  { cwd: ROOT, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
