// The engine's side of the Python client's tests, run under Bun: what the engine's own producer
// writes for the same input, JSON.stringify of the same values, suppressions and stats, all through
// the engine's public entries. Input is JSON on stdin, output JSON on stdout.
//   bun engine_helper.ts stringify            [value, ...]            -> [json text, ...]
//   bun engine_helper.ts push                 [{kind, queue, input, options}, ...] -> [{id, duplicate}, ...]
//   bun engine_helper.ts suppress|unsuppress  "address"
//   bun engine_helper.ts retry                {queue, id}             -> true when retried (DeadLetterQueue.retry)
//   bun engine_helper.ts stats                ["email", ...]          -> [QueueStats, ...]
import { readFileSync } from "node:fs";
import { createRedis, type JobInput, type PushOptions, Queue, type RedisConnection } from "@notify/queue";
import {
  type EmailJobInput,
  pushEmailJob,
  pushSmsJob,
  type SmsJobInput,
  suppressions,
} from "@notify/queue/notifications";

interface PushCase {
  kind: "queue" | "email" | "sms";
  queue?: string;
  input: JobInput;
  options?: PushOptions;
}

async function withRedis<T>(use: (redis: RedisConnection) => Promise<T>): Promise<T> {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set");
  const redis = createRedis(url);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function pushCase(redis: RedisConnection, c: PushCase) {
  if (c.kind === "email") return pushEmailJob(redis, c.input as EmailJobInput, c.options);
  if (c.kind === "sms") return pushSmsJob(redis, c.input as SmsJobInput, c.options);
  return new Queue(c.queue ?? "", { connection: redis }).push(c.input, c.options);
}

const command = process.argv[2];
const input = JSON.parse(readFileSync(0, "utf8")) as unknown;
let output: unknown;
switch (command) {
  case "stringify":
    output = (input as unknown[]).map((value) => JSON.stringify(value));
    break;
  case "push":
    output = await withRedis(async (redis) => {
      const results = [];
      for (const c of input as PushCase[]) results.push(await pushCase(redis, c));
      return results;
    });
    break;
  case "suppress":
    output = await withRedis((redis) => suppressions.suppress(redis, input as string, "manual"));
    break;
  case "unsuppress":
    output = await withRedis((redis) => suppressions.remove(redis, input as string));
    break;
  case "retry": {
    const { queue, id } = input as { queue: string; id: string };
    output = await withRedis((redis) => new Queue(queue, { connection: redis }).dlq.retry(id));
    break;
  }
  case "stats":
    output = await withRedis((redis) =>
      Promise.all((input as string[]).map((name) => new Queue(name, { connection: redis }).stats())),
    );
    break;
  default:
    throw new Error(`unknown command ${command}`);
}
process.stdout.write(`${JSON.stringify(output)}\n`);
