import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, channelSwitch, loadEmailConfig, loadEventsConfig, loadSmsConfig } from "../src/config.ts";

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

  it("takes seed 001's QUEUE_REDIS_URL where REDIS_URL is unset; REDIS_URL wins when both are set", () => {
    expect(loadEventsConfig({ QUEUE_REDIS_URL: "redis://queue-host:6379" }).REDIS_URL).toBe("redis://queue-host:6379");
    expect(loadEventsConfig({ REDIS_URL, QUEUE_REDIS_URL: "redis://queue-host:6379" }).REDIS_URL).toBe(REDIS_URL);
    expect(loadEventsConfig({ REDIS_URL: "", QUEUE_REDIS_URL: "rediss://:pw@queue-host:6380" }).REDIS_URL).toBe(
      "rediss://:pw@queue-host:6380",
    );
    expect(loadEventsConfig({}).REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:/);
  });

  it("takes seed 003's REDIS_ADDR=host:port where neither URL is set", () => {
    expect(loadEventsConfig({ REDIS_ADDR: "localhost:6379" }).REDIS_URL).toBe("redis://localhost:6379");
    expect(loadEventsConfig({ REDIS_URL, REDIS_ADDR: "localhost:6379" }).REDIS_URL).toBe(REDIS_URL);
  });

  it("reads EMAIL_ENABLED / SMS_ENABLED per channel, on unless false", () => {
    expect(channelSwitch("email", {})).toEqual({ variable: "EMAIL_ENABLED", enabled: true });
    expect(channelSwitch("email", { EMAIL_ENABLED: "false" })).toEqual({ variable: "EMAIL_ENABLED", enabled: false });
    expect(channelSwitch("sms", { SMS_ENABLED: "FALSE", EMAIL_ENABLED: "false" })?.enabled).toBe(false);
    // The words the Python client reads for the same variable.
    expect(channelSwitch("email", { EMAIL_ENABLED: "off" })?.enabled).toBe(false);
    expect(channelSwitch("events", { EMAIL_ENABLED: "false" })).toBeNull();
    expect(() => channelSwitch("sms", { SMS_ENABLED: "perhaps" })).toThrow(/^invalid configuration: SMS_ENABLED /);
  });

  it.each([
    [{ REDIS_ADDR: "localhost" }, "REDIS_ADDR"],
    [{ REDIS_ADDR: "redis://localhost:6379" }, "REDIS_ADDR"],
    [{ REDIS_URL: "http://x" }, "REDIS_URL"],
    [{ QUEUE_REDIS_URL: "localhost:6379" }, "QUEUE_REDIS_URL"],
    [{ REDIS_URL, EMAIL_CONCURRENCY: "0" }, "EMAIL_CONCURRENCY"],
    [{ REDIS_URL, EMAIL_CONCURRENCY: "many" }, "EMAIL_CONCURRENCY"],
    [{ REDIS_URL, SENDGRID_BASE_URL: "not a url" }, "SENDGRID_BASE_URL"],
    [{ REDIS_URL, TRACKING_BASE_URL: "https://t.example.com" }, "TRACKING_SECRET"],
    [{ REDIS_URL, TRACKING_BASE_URL: "https://t.example.com", TRACKING_SECRET: "short" }, "TRACKING_SECRET"],
    [{ REDIS_URL, LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ REDIS_URL, REDIS_SENTINELS: "sentinel-a:port" }, "REDIS_SENTINELS"],
  ])("names the bad variable: %j", (env, name) => {
    expect(() => loadEmailConfig(env)).toThrow(ConfigError);
    expect(() => loadEmailConfig(env)).toThrow(new RegExp(`^invalid configuration: ${name} `));
  });

  it("in production, refuses to fall back to the console provider unless it is chosen", () => {
    const production = { REDIS_URL, NODE_ENV: "production" };
    expect(() => loadEmailConfig(production)).toThrow(
      /^invalid configuration: SENDGRID_API_KEY is required when NODE_ENV=production/,
    );
    expect(() => loadSmsConfig(production)).toThrow(
      /^invalid configuration: MSG91_AUTH_KEY is required when NODE_ENV=production/,
    );
    expect(loadEmailConfig({ ...production, EMAIL_PROVIDER: "console" }).EMAIL_PROVIDER).toBe("console");
    expect(loadSmsConfig({ ...production, SMS_PROVIDER: "console" }).SMS_PROVIDER).toBe("console");
    expect(loadEmailConfig({ ...production, SENDGRID_API_KEY: "SG.key" }).SENDGRID_API_KEY).toBe("SG.key");
    // Development keeps working with no keys at all (npm start).
    expect(loadEmailConfig({ REDIS_URL, NODE_ENV: "development" }).SENDGRID_API_KEY).toBeUndefined();
    expect(() => loadEmailConfig({ REDIS_URL, EMAIL_PROVIDER: "sendgrid" })).toThrow(/SENDGRID_API_KEY is required/);
    expect(() => loadEmailConfig({ REDIS_URL, EMAIL_PROVIDER: "mailgun" })).toThrow(
      /^invalid configuration: EMAIL_PROVIDER /,
    );
    expect(() => loadEmailConfig({ REDIS_URL, EMAIL_PROVIDER: "smtp" })).toThrow(/SMTP_URL is required/);
    expect(() => loadEmailConfig({ REDIS_URL, EMAIL_PROVIDERS: "sendgrid,ses", SENDGRID_API_KEY: "SG.k" })).toThrow(
      /^invalid configuration: SES_REGION is required when EMAIL_PROVIDERS=sendgrid,ses/,
    );
  });

  it("a production email worker without SENDGRID_API_KEY exits 1 with one line", () => {
    const bun = resolve(import.meta.dirname, "../../../node_modules/.bin/bun");
    const result = spawnSync(bun, [resolve(import.meta.dirname, "../src/email-worker.ts")], {
      env: { PATH: process.env.PATH, REDIS_URL, NODE_ENV: "production" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^invalid configuration: SENDGRID_API_KEY is required when NODE_ENV=production/),
    ]);
  });

  it("reads the retry settings and rejects a cap below the base", () => {
    expect(() => loadEmailConfig({ REDIS_URL, RETRY_BASE_MS: "60000", RETRY_MAX_MS: "1000" })).toThrow(
      /^invalid configuration: RETRY_MAX_MS must not be below RETRY_BASE_MS/,
    );
    expect(() => loadEmailConfig({ REDIS_URL, MAX_ATTEMPTS: "0" })).toThrow(/^invalid configuration: MAX_ATTEMPTS /);
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
