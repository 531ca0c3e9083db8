// `queue dlq list|retry|delete|purge` over dead letters made by a real worker run (drain).
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drain, PermanentError, Queue } from "../../src/index.ts";
import { queueName } from "../setup.ts";
import { cliJson, runCli } from "./run-cli.ts";

let server: RedisServerHandle;
let redis: Redis;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  env = { REDIS_URL: server.url };
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

interface Listed {
  total: number;
  entries: {
    id: string;
    error: string;
    reason: string;
    attempts: number;
    job: { type: string } | null;
    entry?: string;
  }[];
}

/** Pushes one job per error text and dead-letters them all through a worker that always refuses. */
async function deadLetters(name: string, errors: string[]): Promise<string[]> {
  const queue = new Queue(name, { connection: redis });
  const { ids } = await queue.pushBulk(errors.map((error) => ({ type: "welcome", data: { error } })));
  const result = await drain(
    name,
    async (job) => {
      throw new PermanentError(String(job.data.error));
    },
    { connection: redis, limit: errors.length },
  );
  expect(result.deadLettered).toBe(errors.length);
  return ids;
}

describe("queue dlq", () => {
  it("lists dead letters newest first, pages them and filters by error text", async () => {
    const name = queueName("cli-dlq-list");
    const ids = await deadLetters(name, ["smtp 550 mailbox unavailable", "template missing", "smtp 550 no such user"]);
    const all = await cliJson<Listed>(["dlq", "list", name], env);
    expect(all.total).toBe(3);
    expect(all.entries.map((e) => e.id)).toEqual([...ids].reverse());
    expect(all.entries[0]).toMatchObject({ error: "smtp 550 no such user", job: { type: "welcome" } });
    expect(all.entries[0]?.entry).toBeUndefined();
    const page = await cliJson<Listed>(["dlq", "list", name, "--limit", "1", "--offset", "1"], env);
    expect(page.entries.map((e) => e.id)).toEqual([ids[1]]);
    const smtp = await cliJson<Listed>(["dlq", "list", name, "--error", "SMTP 550"], env);
    expect(smtp.total).toBe(2);
    const text = await runCli(["dlq", "list", name], env);
    expect(text.stdout).toContain("template missing");
  });

  it("retries one by id, then the rest by error text, then all", async () => {
    const name = queueName("cli-dlq-retry");
    const ids = await deadLetters(name, ["timeout a", "bounce b", "bounce c", "other d"]);
    const queue = new Queue(name, { connection: redis });
    expect(await cliJson(["dlq", "retry", name, String(ids[0])], env)).toMatchObject({ retried: 1 });
    expect((await queue.peek(10)).map((p) => p.job?.id)).toEqual([ids[0]]);
    expect(await cliJson(["dlq", "retry", name, "--error", "bounce"], env)).toMatchObject({ retried: 2 });
    expect(await cliJson(["dlq", "retry", name, "--all"], env)).toMatchObject({ retried: 1 });
    expect(await queue.dlq.count()).toBe(0);
    expect((await queue.peek(10)).map((p) => p.job?.attempts)).toEqual([0, 0, 0, 0]);
  });

  it("retries by index as seed 004's retry_dead_letter_job(queue, index): 0 is the newest", async () => {
    const name = queueName("cli-dlq-index");
    const ids = await deadLetters(name, ["first", "second", "third"]);
    const queue = new Queue(name, { connection: redis });
    // Newest first: index 1 of [third, second, first] is the second job.
    expect(await cliJson(["dlq", "retry", name, "--index", "1"], env)).toMatchObject({ retried: 1, id: ids[1] });
    expect((await queue.peek(10)).map((p) => p.job?.id)).toEqual([ids[1]]);
    const beyond = await runCli(["dlq", "retry", name, "--index", "2"], env);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr.trim()).toBe(`error: ${name}: no dead letter at index 2`);
    expect((await runCli(["dlq", "retry", name, "--index", "-1"], env)).code).toBe(2);
    expect(await queue.dlq.count()).toBe(2);
  });

  it("deletes one, purges the rest, and fails clearly on an unknown id or a bad combination", async () => {
    const name = queueName("cli-dlq-delete");
    const ids = await deadLetters(name, ["x", "y", "z"]);
    expect(await cliJson(["dlq", "delete", name, String(ids[1])], env)).toMatchObject({ deleted: 1 });
    const missing = await runCli(["dlq", "delete", name, String(ids[1])], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`error: ${name}: no dead letter with id ${ids[1]}`);
    const ambiguous = await runCli(["dlq", "retry", name, String(ids[0]), "--all"], env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/exactly one of/);
    expect(await cliJson(["dlq", "purge", name], env)).toMatchObject({ purged: 2 });
    expect(await new Queue(name, { connection: redis }).dlq.count()).toBe(0);
  });
});
