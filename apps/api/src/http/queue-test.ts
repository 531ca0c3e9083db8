// POST /queue/test (seed 003, development only): queues a two-recipient welcome batch and answers
// {"queued":true,"batch_id":"<uuid>"} (a UUID, as seed 003's endpoint answers) so a fresh setup can be checked end to end with one curl.
// It needs a service key and a JSON content type even in development: both make it a request no
// web page can send cross-site without a CORS preflight, which this API never grants.
import { randomUUID } from "node:crypto";
import { EMAIL_QUEUE } from "@notify/queue/notifications";
import { credentialOf, identify, type ResolvedDeps } from "../context.ts";
import { channelOffReason } from "../lib/channels.ts";
import type { QueueAccess } from "../lib/queues.ts";
import { withDeadline } from "../lib/redis-guard.ts";
import { json } from "./responses.ts";

export async function queueTest(deps: ResolvedDeps, queue: QueueAccess, req: Request): Promise<Response> {
  const { caller, tenant } = identify(credentialOf(req.headers), deps.config);
  if (caller === "anonymous" || caller === "viewer")
    return json({ queued: false, error: "missing or invalid API key (x-api-key or Authorization: Bearer)" }, 401);
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? ""))
    return json({ queued: false, error: "content-type must be application/json" }, 415);
  const off = channelOffReason(deps.config, EMAIL_QUEUE);
  if (off) return json({ queued: false, error: off }, 409);
  try {
    const result = await withDeadline(deps.config.redisTimeoutMs, async () => {
      const email = await queue(EMAIL_QUEUE);
      return email.pushBulk(
        ["test1@example.com", "test2@example.com"].map((to) => ({ type: "welcome", to, data: { user_name: "Test" } })),
        { batchId: randomUUID(), ...(tenant === null ? {} : { tenant }) },
      );
    });
    return json({ queued: true, batch_id: result.batchId });
  } catch (error) {
    return json({ queued: false, error: error instanceof Error ? error.message : String(error) }, 503);
  }
}
