import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadEmailConfig, loadEventsConfig, loadSmsConfig } from "../src/config.ts";

const REDIS_URL = "redis://127.0.0.1:1";

describe("worker configuration", () => {
  it("applies defaults and coerces numbers", () => {
    const config = loadEmailConfig({ REDIS_URL, EMAIL_CONCURRENCY: "50" });
    expect(config.EMAIL_CONCURRENCY).toBe(50);
    expect(config.SENDGRID_API_KEY).toBeUndefined();
    expect(config.LOG_LEVEL).toBe("info");
    expect(loadSmsConfig({ REDIS_URL }).MSG91_SENDER_ID).toBe("NOTIFY");
    expect(loadEventsConfig({ REDIS_URL }).EVENTS_CONCURRENCY).toBe(20);
  });

  it.each([
    [{ REDIS_URL: "http://x" }, "REDIS_URL"],
    [{ REDIS_URL, EMAIL_CONCURRENCY: "0" }, "EMAIL_CONCURRENCY"],
    [{ REDIS_URL, EMAIL_CONCURRENCY: "many" }, "EMAIL_CONCURRENCY"],
    [{ REDIS_URL, SENDGRID_BASE_URL: "not a url" }, "SENDGRID_BASE_URL"],
    [{ REDIS_URL, TRACKING_BASE_URL: "https://t.example.com" }, "TRACKING_SECRET"],
    [{ REDIS_URL, TRACKING_BASE_URL: "https://t.example.com", TRACKING_SECRET: "short" }, "TRACKING_SECRET"],
    [{ REDIS_URL, LOG_LEVEL: "loud" }, "LOG_LEVEL"],
  ])("names the bad variable: %j", (env, name) => {
    expect(() => loadEmailConfig(env)).toThrow(ConfigError);
    expect(() => loadEmailConfig(env)).toThrow(new RegExp(`^invalid configuration: ${name} `));
  });

  it("a worker with a bad variable exits 1 with one line naming it", () => {
    const bun = resolve(import.meta.dirname, "../../../node_modules/.bin/bun");
    const result = spawnSync(bun, [resolve(import.meta.dirname, "../src/sms-worker.ts")], {
      env: { PATH: process.env.PATH, REDIS_URL, SMS_CONCURRENCY: "-3" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^invalid configuration: SMS_CONCURRENCY /),
    ]);
  });
});
