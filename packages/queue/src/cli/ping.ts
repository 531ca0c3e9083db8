// `ping`: proves the configured Redis answers and shows what it is (seed 001's connection test).
import { evictionWarning, listQueues, redisInfo } from "../index.ts";
import type { Command } from "./command.ts";
import { connectionTarget } from "./connect.ts";

export const ping: Command = {
  usage: "ping [--timeout ms]",
  summary: "check the Redis connection (REDIS_URL, or the embedded redis://127.0.0.1:6390) and say what is wrong",
  async run(ctx) {
    const target = connectionTarget();
    const startedAt = performance.now();
    const redis = await ctx.redis();
    const connectMs = performance.now() - startedAt;
    const roundTrip = performance.now();
    await redis.ping();
    const pingMs = performance.now() - roundTrip;
    const [info, queues] = await Promise.all([redisInfo(redis), listQueues(redis)]);
    const result = {
      ok: true,
      url: target.shown,
      embedded: target.embedded,
      connectMs: Math.round(connectMs * 10) / 10,
      pingMs: Math.round(pingMs * 100) / 100,
      version: info.version,
      mode: info.mode,
      role: info.role,
      usedMemory: info.usedMemoryHuman,
      keys: info.keys,
      aof: info.aofEnabled,
      maxmemoryPolicy: info.maxmemoryPolicy,
      warning: evictionWarning(info),
      queues,
    };
    // On stderr too, so it is seen even when stdout goes to a script.
    if (result.warning) process.stderr.write(`WARNING: ${result.warning}\n`);
    ctx.out.result(result, () =>
      [
        `PONG from ${result.url}${target.embedded ? " (embedded default)" : ""}`,
        `  redis ${info.version}, ${info.mode}, ${info.role}; connect ${result.connectMs} ms, ping ${result.pingMs} ms`,
        `  memory ${info.usedMemoryHuman}, ${info.keys} keys, ${info.connectedClients} clients, AOF ${info.aofEnabled ? "on" : "off"}, maxmemory-policy ${info.maxmemoryPolicy}`,
        `  queues: ${queues.length > 0 ? queues.join(", ") : "(none yet)"}`,
      ].join("\n"),
    );
  },
};
