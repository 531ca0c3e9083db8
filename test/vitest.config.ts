import { defineProject } from "vitest/config";

// Tests of the repository as a whole: the import picture, the Procfile under process managers.
export default defineProject({
  test: {
    name: "repo",
    include: ["**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
