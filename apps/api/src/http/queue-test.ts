// POST /queue/test (seed 003, development only): queues a two-recipient welcome batch and answers
// {"queued":true,"batch_id":...} so a fresh setup can be checked end to end with one curl.
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import type { ResolvedDeps } from "../context.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";
import { json } from "./responses.ts";

export async function queueTest(deps: ResolvedDeps, queue: QueueAccess): Promise<Response> {
  try {
    const result = await withDeadline(deps.config.redisTimeoutMs, async () => {
      const email = await queue(EMAIL_QUEUE);
      return email.pushBulk(
        ["test1@example.com", "test2@example.com"].map((to) => ({ type: "welcome", to, data: { user_name: "Test" } })),
        {},
      );
    });
    return json({ queued: true, batch_id: result.batchId });
  } catch (error) {
    return json({ queued: false, error: error instanceof Error ? error.message : String(error) }, 503);
  }
}
