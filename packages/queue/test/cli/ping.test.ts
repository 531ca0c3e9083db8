// `queue ping` says plainly what is wrong with a connection: refused, auth, DNS, timeout, TLS.
import { createServer, type Server } from "node:net";
import { freePort, type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

let plain: RedisServerHandle;
let secured: RedisServerHandle;
beforeAll(async () => {
  [plain, secured] = await Promise.all([startRedisServer(), startRedisServer({ args: ["--requirepass", "s3cret"] })]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), secured?.stop()]);
});

/** Every failure is exactly one line on stderr and exit code 1. */
function expectOneLineFailure(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe("queue ping", () => {
  it("answers PONG with the server's version, and JSON with --json", async () => {
    const text = await runCli(["ping"], { REDIS_URL: plain.url });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`PONG from ${plain.url}`);
    const json = await runCli(["ping", "--json"], { REDIS_URL: plain.url });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, url: plain.url, embedded: false, mode: "standalone" });
  });

  it("takes seed 001's QUEUE_REDIS_URL when REDIS_URL is unset, and REDIS_URL when both are set", async () => {
    const alias = await runCli(["ping", "--json"], { REDIS_URL: undefined, QUEUE_REDIS_URL: plain.url });
    expect(JSON.parse(alias.stdout)).toMatchObject({ ok: true, url: plain.url, embedded: false });
    const both = await runCli(["ping", "--json"], {
      REDIS_URL: plain.url,
      QUEUE_REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(JSON.parse(both.stdout)).toMatchObject({ ok: true, url: plain.url });
  });

  it("uses the embedded default when REDIS_URL is unset and says how to start it", async () => {
    const result = await runCli(["ping"], { REDIS_URL: "", QUEUE_REDIS_URL: "", NOTIFY_REDIS_PORT: undefined });
    // The embedded server may or may not run on this machine; either way the CLI names it.
    if (result.code === 0) expect(result.stdout).toContain("redis://127.0.0.1:6390 (embedded default)");
    else expectOneLineFailure(result, /refused by redis:\/\/127\.0\.0\.1:6390: start the embedded server/);
  });

  it("reports a refused connection", async () => {
    const port = await freePort();
    expectOneLineFailure(
      await runCli(["ping"], { REDIS_URL: `redis://127.0.0.1:${port}` }),
      /connection refused by redis:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it("reports a missing password, a wrong one, and accepts the right one without printing it", async () => {
    const url = (auth: string) => `redis://${auth}127.0.0.1:${secured.port}`;
    expectOneLineFailure(await runCli(["ping"], { REDIS_URL: url("") }), /authentication required/);
    const wrong = await runCli(["ping"], { REDIS_URL: url(":wrong@") });
    expectOneLineFailure(wrong, /authentication failed/);
    expect(wrong.stderr).not.toContain("wrong@");
    const right = await runCli(["ping"], { REDIS_URL: url(":s3cret@") });
    expect(right.code).toBe(0);
    expect(right.stdout).toContain("PONG");
    expect(right.stdout).not.toContain("s3cret");
  });

  it("reports a host name that does not resolve", async () => {
    expectOneLineFailure(
      await runCli(["ping"], { REDIS_URL: "redis://no-such-host.invalid:6379" }),
      /DNS lookup failed/,
    );
  });

  it("reports a server that never answers within --timeout", async () => {
    const silent: Server = createServer(() => {});
    const port = await new Promise<number>((r) =>
      silent.listen(0, "127.0.0.1", () => r((silent.address() as { port: number }).port)),
    );
    try {
      const result = await runCli(["ping", "--timeout", "500"], { REDIS_URL: `redis://127.0.0.1:${port}` });
      expectOneLineFailure(result, /no answer from .* within 500 ms/);
    } finally {
      silent.close();
    }
  });

  it("points at TLS when rediss:// meets a plain port", async () => {
    const result = await runCli(["ping", "--timeout", "1000"], { REDIS_URL: `rediss://127.0.0.1:${plain.port}` });
    expectOneLineFailure(result, /TLS|rediss:\/\//);
  });

  it("rejects an unknown command or option with exit code 2", async () => {
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const badOption = await runCli(["ping", "--count", "3"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr.trim().split("\n")).toHaveLength(1);
  });
});
