// `npm run chaos -- [--json] [--jobs N] [--kills N] [--workers N] [--deadline-s N]`: runs the
// email-worker chaos test (apps/workers/dev/chaos.ts) under Bun and exits with its code.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(
  join(ROOT, "node_modules", ".bin", "bun"),
  [join(ROOT, "apps/workers/dev/chaos.ts"), ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
