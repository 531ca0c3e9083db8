// Delivery throughput for `npm run bench`: one email worker process (Bun) at concurrency 50
// against the provider stand-in answering in 50 ms. Last stdout line: {"deliverPerSec":N}.
//
//   node scripts/bench-deliver.mjs [--jobs N] [--concurrency N] [--latency-ms N]
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(
  join(ROOT, "node_modules", ".bin", "bun"),
  [join(ROOT, "apps/workers/dev/bench-deliver.ts"), ...process.argv.slice(2)],
  { cwd: ROOT, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
