// Puts hostile jobs straight into a throw-away Redis, in the formats the engine stores, the way a
// foreign producer (RPUSH from any language) or an old worker could have left them. The API's own
// bounds cannot stop these, so the admin has to show them safely.
import { createRedis, queueKeys } from "@notify/queue";

/** A job's JSON text with `inner` (already JSON text) as its data field. */
export function rawJob(id: string, inner: string, extra: Record<string, unknown> = {}): string {
  const head = JSON.stringify({ id, type: "welcome", to: "ann.lee@example.com", attempts: 1, ...extra });
  return `${head.slice(0, -1)},"data":${inner}}`;
}

/** `levels` nested arrays around a string, as JSON text (built without recursion). */
export function nestedJson(levels: number): string {
  return `{"nest":${"[".repeat(levels)}"bottom"${"]".repeat(levels)}}`;
}

export async function seed(
  redisUrl: string,
  queue: string,
  jobs: { pending?: string[]; completed?: string[]; dead?: { raw: string; id: string }[] },
): Promise<void> {
  const redis = createRedis(redisUrl);
  const keys = queueKeys(queue);
  try {
    for (const raw of jobs.pending ?? []) await redis.rpush(keys.pending, raw);
    for (const raw of jobs.completed ?? [])
      await redis.lpush(keys.completed, `{"finishedAt":${Date.now()},"job":${raw}}`);
    for (const { raw, id } of jobs.dead ?? []) {
      const entry = `{"id":${JSON.stringify(id)},"reason":"permanent","error":"provider said no","attempts":1,"failedAt":${Date.now()},"queue":${JSON.stringify(queue)},"job":${raw}}`;
      await redis.lpush(keys.dlq, entry);
    }
  } finally {
    redis.disconnect();
  }
}
