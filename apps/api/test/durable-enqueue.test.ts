// REDIS_WAIT_REPLICAS on the API: with no replica to confirm a push, an enqueue is not reported
// queued; it answers SERVICE_UNAVAILABLE within the bound, saying why.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  // Read when the engine's queues are made, so set before the app starts (this file's process only).
  process.env.REDIS_WAIT_REPLICAS = "1";
  process.env.REDIS_WAIT_TIMEOUT_MS = "200";
  h = await startHarness();
});
afterAll(async () => {
  delete process.env.REDIS_WAIT_REPLICAS;
  delete process.env.REDIS_WAIT_TIMEOUT_MS;
  await h?.close();
});

describe("durable enqueue (REDIS_WAIT_REPLICAS)", () => {
  it("answers SERVICE_UNAVAILABLE when no replica confirms the job", async () => {
    const started = Date.now();
    const error = await trpcError(
      h.service.email.send.mutate({ template: "welcome", to: "ann@example.com", data: { user_name: "Ann" } }),
    );
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect(error.message).toMatch(/confirmed by 0 of 1 replicas/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("a bad REDIS_WAIT_REPLICAS or REDIS_SENTINELS stops the API at start with one line", () => {
    const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
    const entry = fileURLToPath(new URL("../src/server.ts", import.meta.url));
    for (const [name, value] of [
      ["REDIS_WAIT_REPLICAS", "-1"],
      ["REDIS_SENTINELS", "sentinel-a:port"],
    ] as const) {
      const result = spawnSync(bun, [entry], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, API_KEYS: "k", [name]: value, PORT: "0" },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(name);
    }
  });
});
