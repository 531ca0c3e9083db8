// `watch` run for real: it redraws as the queues change and exits 0 on Ctrl-C (SIGINT); `clean`
// trims dead letters older than its grace period.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "../../src/index.ts";
import { queueName } from "../setup.ts";
import { cliJson, runCli } from "./run-cli.ts";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

let server: RedisServerHandle;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("queue watch", () => {
  it("shows the queues live, redraws as they change and exits 0 on Ctrl-C", async () => {
    const queue = new Queue(queueName("watched"), { connection: redis });
    await queue.push({ type: "x" });
    const child = spawn(
      `${ROOT}node_modules/.bin/bun`,
      [`${ROOT}packages/queue/src/cli/main.ts`, "watch", "--interval", "100"],
      { cwd: ROOT, env: { ...process.env, REDIS_URL: server.url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await waitFor(() => output.includes(`${queue.name}: no live worker while 1 job(s) wait`), {
        message: "a frame naming the unattended backlog",
      });
      expect(output).toMatch(new RegExp(`^${queue.name}\\s+critical\\s+1\\s+0\\s+0\\s+0\\s+0\\s+0\\s+0$`, "m"));
      await queue.clear();
      const seen = output.length;
      await waitFor(() => new RegExp(`^${queue.name}\\s+ok\\s+0\\s`, "m").test(output.slice(seen)), {
        message: "a later frame with the queue ok",
      });
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("prints JSON lines with --json and stops after --frames", async () => {
    const result = await runCli(["watch", "--json", "--frames", "2", "--interval", "50"], { REDIS_URL: server.url });
    expect(result.code).toBe(0);
    const frames = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(frames).toHaveLength(2);
    expect(frames[0].queues[0]).toHaveProperty("health.status");
  });
});

describe("queue clean", () => {
  it("removes dead letters older than the grace period and refuses a bad state", async () => {
    const queue = new Queue(queueName("cleaned"), { connection: redis });
    const now = Date.now();
    await redis.rpush(
      queue.keys.dlq,
      JSON.stringify({ id: "new", reason: "failed", error: "x", attempts: 1, failedAt: now }),
      JSON.stringify({ id: "old", reason: "failed", error: "x", attempts: 1, failedAt: now - 7_200_000 }),
    );
    const env = { REDIS_URL: server.url };
    expect(await cliJson(["clean", queue.name, "1h", "dead"], env)).toEqual({
      queue: queue.name,
      state: "dead",
      graceMs: 3_600_000,
      removed: 1,
    });
    expect(await redis.llen(queue.keys.dlq)).toBe(1);
    const bad = await runCli(["clean", queue.name, "1h", "waiting"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/state must be completed or dead/);
    expect((await runCli(["clean", queue.name, "soon", "dead"], env)).code).toBe(2);
  });
});
