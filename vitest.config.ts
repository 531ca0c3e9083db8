import { defineConfig } from "vitest/config";

// One vitest run covers every workspace; each project keeps its own config next to its code.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/vitest.config.ts"],
  },
});
