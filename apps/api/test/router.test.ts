// The router without HTTP, through createCaller: the same procedures, contexts built by hand.
import { freePort, type RedisServerHandle, startRedisServer } from "@notify/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Caller, callerOf, createContextFactory, credentialOf } from "../src/context.ts";
import { Background } from "../src/lib/background.ts";
import { createQueueAccess } from "../src/lib/queues.ts";
import type { RedisConnection } from "../src/lib/redis-guard.ts";
import { createMetrics } from "../src/metrics/registry.ts";
import { appRouter } from "../src/routers/_app.ts";
import { createCallerFactory } from "../src/trpc.ts";
import { ADMIN_TOKEN, SERVICE_KEY, testConfig, testRedis } from "./support/harness.ts";

const createCaller = createCallerFactory(appRouter);

function callerFor(redis: RedisConnection, credential?: string, timeoutMs = 1_000) {
  const config = testConfig({ redisTimeoutMs: timeoutMs });
  const contextFor = createContextFactory(
    { redis, config, metrics: createMetrics(), background: new Background() },
    createQueueAccess(redis, timeoutMs),
  );
  return createCaller(contextFor(new Headers(credential ? { authorization: `Bearer ${credential}` } : {})));
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

let server: RedisServerHandle;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedisServer();
  redis = testRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("credentials", () => {
  const config = testConfig();
  it.each<[Record<string, string>, Caller]>([
    [{}, "anonymous"],
    [{ authorization: `Bearer ${SERVICE_KEY}` }, "service"],
    [{ authorization: `bearer   ${SERVICE_KEY} ` }, "service"],
    [{ "x-api-key": SERVICE_KEY }, "service"],
    [{ authorization: `Bearer ${ADMIN_TOKEN}` }, "admin"],
    [{ authorization: `Basic ${SERVICE_KEY}` }, "anonymous"],
    [{ authorization: `Bearer ${SERVICE_KEY}x` }, "anonymous"],
    [{ "x-api-key": SERVICE_KEY.slice(0, -1) }, "anonymous"],
  ])("%j is %s", (headers, expected) => {
    expect(callerOf(credentialOf(new Headers(headers)), config)).toBe(expected);
  });

  it("accepts nothing when no keys are configured", () => {
    expect(callerOf("", testConfig({ apiKeys: [], adminToken: undefined }))).toBe("anonymous");
    expect(callerOf("anything", testConfig({ apiKeys: [], adminToken: undefined }))).toBe("anonymous");
  });
});

describe("procedures through createCaller", () => {
  it("enqueues as a service and reads back as the admin", async () => {
    const service = callerFor(redis, SERVICE_KEY);
    const sent = await service.email.send({
      template: "order_confirmation",
      to: "o@example.com",
      data: { order_number: "A-1", total_amount: "19.90" },
    });
    expect((await service.jobs.get({ id: sent.jobId })).state).toBe("pending");
    const admin = callerFor(redis, ADMIN_TOKEN);
    expect((await admin.queues.stats({ queue: "email" })).pending).toBe(1);
    expect(await codeOf(service.queues.stats({ queue: "email" }))).toBe("UNAUTHORIZED");
    expect(
      await codeOf(callerFor(redis).email.send({ template: "welcome", to: "a@example.com", data: { user_name: "A" } })),
    ).toBe("UNAUTHORIZED");
  });

  it("answers SERVICE_UNAVAILABLE within the bound when Redis is not there at all", async () => {
    const nowhere = testRedis(`redis://127.0.0.1:${await freePort()}`);
    try {
      const started = Date.now();
      expect(
        await codeOf(
          callerFor(nowhere, SERVICE_KEY, 300).email.send({
            template: "welcome",
            to: "a@example.com",
            data: { user_name: "A" },
          }),
        ),
      ).toBe("SERVICE_UNAVAILABLE");
      expect(await codeOf(callerFor(nowhere, ADMIN_TOKEN, 300).redis.info())).toBe("SERVICE_UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      nowhere.disconnect();
    }
  });
});
