// scripts/redis.mjs: a project-local redis-server with AOF, reused while it runs, stopped with
// SHUTDOWN so the data survives; the CLI finds it without REDIS_URL.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson, runCli } from "./run-cli.ts";

const SCRIPT = fileURLToPath(new URL("../../../../scripts/redis.mjs", import.meta.url));
let env: Record<string, string>;
let dir: string;

function redisScript(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, command],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "notify-embedded-"));
  env = { REDIS_URL: "", NOTIFY_REDIS_PORT: String(await freePort()), NOTIFY_REDIS_DIR: dir };
});
afterAll(async () => {
  await redisScript("stop");
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded redis (scripts/redis.mjs)", () => {
  it("starts once, is reused, keeps jobs across a clean stop and start, and stops", async () => {
    const url = `redis://127.0.0.1:${env.NOTIFY_REDIS_PORT}`;
    expect((await redisScript("status")).code).toBe(3);
    const started = await redisScript("start");
    expect(started.stdout.trim()).toBe(url);
    const pid = readFileSync(join(dir, "redis.pid"), "utf8").trim();
    expect((await redisScript("start")).stdout.trim()).toBe(url);
    expect(readFileSync(join(dir, "redis.pid"), "utf8").trim()).toBe(pid);

    const ping = await cliJson<{ url: string; embedded: boolean; aof: boolean }>(["ping"], env);
    expect(ping).toMatchObject({ url, embedded: true, aof: true });
    const { ids } = await cliJson<{ ids: string[] }>(["push", "embedded-check"], env);

    expect((await redisScript("stop")).code).toBe(0);
    expect((await redisScript("status")).code).toBe(3);
    expect((await runCli(["ping"], env)).stderr).toMatch(/start the embedded server/);
    expect(existsSync(join(dir, "appendonlydir"))).toBe(true);

    await redisScript("start");
    const peeked = await cliJson<{ job: { id: string } }[]>(["peek", "embedded-check"], env);
    expect(peeked.map((p) => p.job.id)).toEqual(ids);
    expect((await redisScript("stop")).code).toBe(0);
  });

  it("uses REDIS_URL as it is when set", async () => {
    const result = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [SCRIPT, "url"],
        { env: { ...process.env, REDIS_URL: "rediss://:pw@cache.example:6380" } },
        (_e, stdout) => resolve(stdout.trim()),
      );
    });
    expect(result).toBe("rediss://:pw@cache.example:6380");
  });
});
