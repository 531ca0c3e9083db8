// One throw-away redis-server per test file; every test uses its own queue name.
import { randomBytes } from "node:crypto";
import { type RedisServerHandle, startRedisServer } from "@notify/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";

export interface TestRedis {
  server: RedisServerHandle;
  redis: Redis;
  connections: Redis[];
  connect(): Redis;
}

export function useRedis(options: { appendOnly?: boolean } = {}): TestRedis {
  const ctx = { connections: [] as Redis[] } as unknown as TestRedis;
  beforeAll(async () => {
    ctx.server = await startRedisServer(options);
    ctx.connect = () => {
      const connection = new Redis(ctx.server.url, {
        maxRetriesPerRequest: null,
        retryStrategy: (n) => Math.min(50 * n, 500),
      });
      connection.on("error", () => {}); // restarts and cuts are on purpose in these tests
      ctx.connections.push(connection);
      return connection;
    };
    ctx.redis = ctx.connect();
  });
  afterAll(async () => {
    for (const connection of ctx.connections) connection.disconnect();
    await ctx.server?.stop();
  });
  return ctx;
}

export function queueName(label: string): string {
  return `${label}-${randomBytes(3).toString("hex")}`;
}
