// Redis at maxmemory (noeviction) and an evicting policy, against real redis-server processes:
// enqueue answers SERVICE_UNAVAILABLE saying Redis is out of memory, /health reports it, and the
// API, the CLI and /health warn about a policy that evicts queued jobs.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBunApi } from "./support/bun-process.ts";
import { trpcError } from "./support/errors.ts";
import { ADMIN_TOKEN, type Harness, SERVICE_KEY, startHarness } from "./support/harness.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      `${ROOT}node_modules/.bin/bun`,
      [`${ROOT}packages/queue/src/cli/main.ts`, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
    );
  });
}

describe("Redis out of memory (noeviction)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.redis.config("SET", "maxmemory-policy", "noeviction");
    // A little above what the server uses now, then filled until Redis refuses writes.
    const used = Number(/used_memory:(\d+)/.exec(await h.redis.info("memory"))?.[1]);
    await h.redis.config("SET", "maxmemory", String(used + 2 * 1024 * 1024));
    // Big values first, then small ones, so no client buffer freed later brings memory back under.
    let i = 0;
    for (const size of [64 * 1024, 1024, 64]) {
      const chunk = "x".repeat(size);
      for (;;) {
        const refused = await h.redis.set(`filler:${i++}`, chunk).then(
          () => false,
          (error: Error) => error.message.startsWith("OOM"),
        );
        if (refused) break;
        if (i > 100_000) throw new Error("redis never refused a write");
      }
    }
    // Full. Client buffers freed later would let a small write through again now and then, so the
    // limit is pulled just under what is stored: it stays full for the whole test.
    const full = Number(/used_memory:(\d+)/.exec(await h.redis.info("memory"))?.[1]);
    await h.redis.config("SET", "maxmemory", String(full - 256 * 1024));
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers SERVICE_UNAVAILABLE saying Redis is out of memory, with no stack trace", async () => {
    for (const send of [
      () => h.service.email.send.mutate({ template: "welcome", to: "a@example.com", data: { user_name: "A" } }),
      () =>
        h.service.email.send.mutate({
          template: "welcome",
          to: "a@example.com",
          data: { user_name: "A" },
          options: { idempotencyKey: "k1" },
        }),
      () => h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "123456" } }),
    ]) {
      const error = await trpcError(send());
      expect(error.code).toBe("SERVICE_UNAVAILABLE");
      expect(error.httpStatus).toBe(503);
      expect(error.message).toMatch(/Redis is out of memory/);
    }
    const raw = await fetch(`${h.app.url}/trpc/email.send`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE_KEY },
      body: JSON.stringify({ template: "welcome", to: "b@example.com", data: { user_name: "B" } }),
    });
    expect(raw.status).toBe(503);
    const text = await raw.text();
    expect(text).not.toMatch(/stack|\.ts:\d+/);
  });

  it("makes /ready 503 while /live stays 200, and shows in /metrics", async () => {
    expect((await fetch(`${h.app.url}/live`)).status).toBe(200);
    const ready = await fetch(`${h.app.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "fail", redis: "out_of_memory" });
    expect(await (await fetch(`${h.app.url}/metrics`)).text()).toMatch(/^notify_redis_out_of_memory 1$/m);
  });

  it("is reported by /health as 503 with the reason", async () => {
    const response = await fetch(`${h.app.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "fail",
      redis: "out_of_memory",
      maxmemoryPolicy: "noeviction",
      reason: expect.stringMatching(/out of memory/),
    });
  });
});

describe("an evicting maxmemory-policy", () => {
  let redisServer: RedisServerHandle;
  beforeAll(async () => {
    redisServer = await startRedisServer({ args: ["--maxmemory-policy", "allkeys-lru"] });
  });
  afterAll(async () => {
    await redisServer?.stop();
  });

  it("is warned about by the API at start and shown by /health", async () => {
    const api = await startBunApi({
      REDIS_URL: redisServer.url,
      API_KEYS: SERVICE_KEY,
      ADMIN_TOKEN,
      HEALTH_REQUIRE_WORKERS: "false",
    });
    try {
      const health = await fetch(`${api.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: "ok",
        maxmemoryPolicy: "allkeys-lru",
        warnings: [expect.stringMatching(/allkeys-lru.*evict queued jobs/)],
      });
      await expect.poll(() => api.output()).toMatch(/REDIS WILL EVICT QUEUED JOBS.*allkeys-lru/);
    } finally {
      await api.stop();
    }
  });

  it("is warned about by the CLI's ping and stats", async () => {
    for (const command of [["ping"], ["stats"], ["stats", "email"], ["ping", "--json"]]) {
      const result = await runCli(command, { REDIS_URL: redisServer.url });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^WARNING: Redis maxmemory-policy is allkeys-lru/m);
    }
  });
});
