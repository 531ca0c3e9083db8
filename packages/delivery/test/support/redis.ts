// One throw-away redis-server per test file and one connection to it, both gone after the file.
import { createRedis, type RedisConnection } from "@notify/queue";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll } from "vitest";

export interface TestRedis {
  readonly server: RedisServerHandle;
  readonly redis: RedisConnection;
}

/** Filled in by beforeAll: read its fields inside tests and hooks, not at the top of the file. */
export function useRedis(): TestRedis {
  const t: { server?: RedisServerHandle; redis?: RedisConnection } = {};
  beforeAll(async () => {
    t.server = await startRedisServer();
    t.redis = createRedis(t.server.url);
  });
  afterAll(async () => {
    t.redis?.disconnect();
    await t.server?.stop();
  });
  return t as TestRedis;
}
