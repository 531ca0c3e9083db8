// push, peek, stats, pause, resume, clear and export against a throw-away Redis, through the real CLI.

import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "../../src/index.ts";
import { emailEventJobSchema } from "../../src/notifications/index.ts";
import { queueName } from "../setup.ts";
import { cliJson, runCli } from "./run-cli.ts";

let server: RedisServerHandle;
let redis: Redis;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  env = { REDIS_URL: server.url };
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

interface PeekedJob {
  state: string;
  job: { id: string; type: string; to: string; data: Record<string, unknown> } | null;
}

describe("queue push / peek / stats", () => {
  it("pushes valid sample email and SMS jobs that peek shows in order", async () => {
    const email = queueName("cli-email");
    const pushed = await cliJson<{ count: number; ids: string[] }>(["push", email, "--count", "3"], env);
    expect(pushed.count).toBe(3);
    const peeked = await cliJson<PeekedJob[]>(["peek", email, "2"], env);
    expect(peeked.map((p) => p.job?.id)).toEqual(pushed.ids.slice(0, 2));
    expect(peeked[0]?.job).toMatchObject({
      type: "welcome",
      to: "test+1@example.com",
      data: { user_name: "Test User 1" },
    });

    const sms = queueName("cli-sms");
    await cliJson(["push", sms, "--type", "order_confirmation", "--to", "+919876543210"], env);
    const [smsJob] = await cliJson<PeekedJob[]>(["peek", sms], env);
    expect(smsJob?.job).toMatchObject({
      type: "order_confirmation",
      to: "+919876543210",
      data: { order_number: "TEST-1" },
    });
  });

  it("pushes valid email events to email_events, and refuses a type the events worker does not know", async () => {
    const pushed = await cliJson<{ count: number }>(["push", "email_events", "--count", "2"], env);
    expect(pushed.count).toBe(2);
    await cliJson(["push", "email_events", "--type", "EMAIL_OPENED", "--data", '{"batchId":"b_cli"}'], env);
    const peeked = await cliJson<PeekedJob[]>(["peek", "email_events", "3"], env);
    expect(peeked.map((p) => emailEventJobSchema.safeParse(p.job).success)).toEqual([true, true, true]);
    expect(peeked.map((p) => p.job?.type)).toEqual(["EMAIL_DELIVERED", "EMAIL_DELIVERED", "EMAIL_OPENED"]);
    expect(peeked[2]?.job?.data).toMatchObject({ recipient: "test+1@example.com", batchId: "b_cli" });
    const stats = await cliJson<{ pending: number; eventCounts: Record<string, number> }>(
      ["stats", "email_events"],
      env,
    );
    expect(stats.pending).toBe(3);
    // Nothing handled yet: every type is there, at 0.
    expect(stats.eventCounts).toMatchObject({ EMAIL_DELIVERED: 0, EMAIL_OPENED: 0, EMAIL_CLICKED: 0 });
    expect((await runCli(["stats", "email_events"], env)).stdout).toContain("events EMAIL_DELIVERED 0, EMAIL_OPENED 0");
    const bad = await runCli(["push", "email_events", "--type", "welcome"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--type must be one of EMAIL_DELIVERED/);
    const badData = await runCli(["push", "email_events", "--data", '{"timestamp":"soon"}'], env);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/invalid email event: data.timestamp/);
  });

  it("takes --data as JSON and refuses data that is not a JSON object", async () => {
    const name = queueName("cli-data");
    await cliJson(["push", name, "--type", "custom", "--data", '{"k":1}'], env);
    const [peeked] = await cliJson<PeekedJob[]>(["peek", name], env);
    expect(peeked?.job).toMatchObject({ type: "custom", data: { k: 1 } });
    const bad = await runCli(["push", name, "--data", "[1]"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--data must be a JSON object/);
  });

  it("shows the counts of one queue and of every queue", async () => {
    const name = queueName("cli-stats");
    await cliJson(["push", name, "--count", "4"], env);
    await cliJson(["push", name, "--delay", "60000"], env);
    const one = await cliJson<{ pending: number; delayed: number; paused: boolean }>(["stats", name], env);
    expect(one).toMatchObject({ pending: 4, delayed: 1, paused: false });
    const all = await cliJson<{ queues: { name: string; pending: number }[]; redis: { version: string } }>(
      ["stats"],
      env,
    );
    expect(all.queues.find((q) => q.name === name)?.pending).toBe(4);
    expect(all.redis.version).toMatch(/^\d+\./);
    const text = await runCli(["stats"], env);
    expect(text.stdout).toMatch(new RegExp(`${name}\\s+running\\s+4\\s+0\\s+1`));
  });

  it("refuses a missing queue name or a bad count with exit code 2", async () => {
    const missing = await runCli(["peek"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing queue name/);
    const badCount = await runCli(["push", queueName("cli-bad"), "--count", "zero"], env);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toMatch(/--count must be a positive integer/);
  });
});

describe("queue pause / resume / clear / export", () => {
  it("pauses with a reason and resumes", async () => {
    const name = queueName("cli-pause");
    const queue = new Queue(name, { connection: redis });
    await cliJson(["pause", name, "--reason", "provider outage"], env);
    expect(await queue.isPaused()).toMatchObject({ paused: true, reason: "provider outage" });
    const resumed = await cliJson<{ wasPaused: boolean }>(["resume", name], env);
    expect(resumed.wasPaused).toBe(true);
    expect((await queue.isPaused()).paused).toBe(false);
  });

  it("clears waiting jobs and reports how many", async () => {
    const name = queueName("cli-clear");
    await cliJson(["push", name, "--count", "5"], env);
    await cliJson(["push", name, "--delay", "60000"], env);
    expect(await cliJson<{ removed: number }>(["clear", name], env)).toMatchObject({ removed: 6 });
    expect(await new Queue(name, { connection: redis }).stats()).toMatchObject({ pending: 0, delayed: 0 });
  });

  it("exports every job as JSON lines, including one that never parsed", async () => {
    const name = queueName("cli-export");
    const { ids } = await cliJson<{ ids: string[] }>(["push", name, "--count", "3"], env);
    await redis.rpush(new Queue(name, { connection: redis }).keys.pending, "{not json");
    const result = await runCli(["export", name], env);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { state: string; job?: { id: string }; raw?: string });
    expect(lines.filter((l) => l.job).map((l) => l.job?.id)).toEqual(ids);
    expect(lines.find((l) => l.raw)?.raw).toBe("{not json");
    expect(lines.every((l) => l.state === "pending")).toBe(true);
  });
});
