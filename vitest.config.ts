import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// One vitest run covers every workspace; each project keeps its own config next to its code.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/vitest.config.ts"],
    // Vitest's default on 2 cores is one test file at a time, but most files wait on Redis, timers
    // and child processes rather than compute: two at a time took the suite from about 10 minutes
    // to 5-6 on the 2-core machine, every fault test passing in each run.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
