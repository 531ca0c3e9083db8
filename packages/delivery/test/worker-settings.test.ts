// The engine options a delivery worker (and a drain) runs with, from the environment.
import { DEFAULT_BACKOFF } from "@notify/queue";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.ts";
import { workerOptionsFromEnv } from "../src/worker-settings.ts";

describe("workerOptionsFromEnv", () => {
  it("leaves everything unset to the engine, but the concurrency and the seeds' own keys and shapes", () => {
    expect(workerOptionsFromEnv("email", {})).toEqual({
      concurrency: 20,
      sourceLists: [
        { key: "queue:email", pushedWith: "RPUSH" },
        { key: "email_queue", pushedWith: "LPUSH" },
      ],
      // Seed 003's EmailJob has no type of its own.
      defaultType: "email_job",
    });
    expect(workerOptionsFromEnv("sms", { MAX_ATTEMPTS: "", RETRY_BASE_MS: " ", SEED_KEYS: "false" })).toEqual({
      concurrency: 10,
    });
    expect(workerOptionsFromEnv("events", {})).toEqual({
      concurrency: 20,
      sourceLists: [{ key: "email_events", pushedWith: "RPUSH" }],
    });
    expect(workerOptionsFromEnv("events", { SEED_KEYS: "false" })).toEqual({ concurrency: 20 });
  });

  it("passes attempts, the retry schedule and the provider's rate limit", () => {
    const env = {
      SMS_CONCURRENCY: "4",
      MAX_ATTEMPTS: "6",
      RETRY_BASE_MS: "60000",
      RETRY_MAX_MS: "600000",
      SMS_RATE_LIMIT: "50",
      SMS_RATE_WINDOW_MS: "2000",
      SEED_KEYS: "false",
      MAX_JOB_BYTES: "1048576",
    };
    expect(workerOptionsFromEnv("sms", env, "msg91")).toEqual({
      concurrency: 4,
      maxAttempts: 6,
      backoff: { type: "exponential", delayMs: 60_000, maxDelayMs: 600_000 },
      limiter: { name: "msg91-sms", max: 50, durationMs: 2000 },
      maxJobBytes: 1_048_576,
    });
  });

  it("fills the half of the schedule that is not set from the engine's default", () => {
    expect(workerOptionsFromEnv("email", { RETRY_MAX_MS: "120000" }).backoff).toEqual({
      type: "exponential",
      delayMs: Math.min(DEFAULT_BACKOFF.delayMs, 120_000),
      maxDelayMs: 120_000,
    });
    const slow = workerOptionsFromEnv("email", { RETRY_BASE_MS: "3600000" }).backoff;
    expect(slow).toEqual({ type: "exponential", delayMs: 3_600_000, maxDelayMs: 3_600_000 });
  });

  it("names a bad variable in one line", () => {
    for (const [env, name] of [
      [{ MAX_ATTEMPTS: "101" }, "MAX_ATTEMPTS"],
      [{ RETRY_BASE_MS: "soon" }, "RETRY_BASE_MS"],
      [{ RETRY_BASE_MS: "5000", RETRY_MAX_MS: "10" }, "RETRY_MAX_MS"],
      [{ EMAIL_CONCURRENCY: "0" }, "EMAIL_CONCURRENCY"],
    ] as const) {
      expect(() => workerOptionsFromEnv("email", env)).toThrow(ConfigError);
      expect(() => workerOptionsFromEnv("email", env)).toThrow(new RegExp(`^invalid configuration: ${name} `));
    }
  });
});
