// What the API failover tests share: a client that keeps enqueueing through the API while a test
// kills the Redis master under it, and the tally of what the API acknowledged against what the
// queue holds afterwards.
import { createNotifyClient } from "@notify/client";
import { queueKeys, type RedisConnection } from "@notify/queue";
import { waitFor } from "@notify/testing";
import { expect } from "vitest";
import { SERVICE_KEY } from "./harness.ts";

export interface EnqueueLoop {
  /** Job id -> when the API acknowledged it. */
  readonly accepted: Map<string, number>;
  /** Error code -> how many enqueues were refused with it. */
  readonly refusals: Map<string, number>;
  /** Resolves once `count` enqueues sent after `since` were acknowledged. */
  acceptedSince(since: number, count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startEnqueueLoop(apiUrl: string): EnqueueLoop {
  const service = createNotifyClient({ url: apiUrl, apiKey: SERVICE_KEY });
  const accepted = new Map<string, number>();
  const refusals = new Map<string, number>();
  let stopped = false;
  const sending = (async () => {
    for (let i = 0; !stopped; i++) {
      try {
        const { jobId } = await service.email.send.mutate({
          template: "welcome",
          to: `u${i}@example.com`,
          data: { user_name: `U${i}` },
        });
        accepted.set(jobId, Date.now());
      } catch (error) {
        const code = (error as { data?: { code?: string } }).data?.code ?? String(error);
        refusals.set(code, (refusals.get(code) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return {
    accepted,
    refusals,
    acceptedSince: async (since, count, timeoutMs) => {
      await waitFor(() => [...accepted.values()].filter((at) => at > since + 50).length >= count, {
        timeoutMs,
        intervalMs: 100,
        message: `${count} enqueues acknowledged after ${new Date(since).toISOString()}`,
      });
    },
    async stop() {
      stopped = true;
      await sending;
    },
  };
}

/** Acknowledged jobs missing from the email queue (no worker runs in these tests, so all wait there). */
export async function lostEnqueues(redis: RedisConnection, loop: EnqueueLoop, killedAt: number) {
  const pending = await redis.lrange(queueKeys("email").pending, 0, -1);
  const stored = new Set(pending.map((raw) => (JSON.parse(raw) as { id: string }).id));
  const lost = [...loop.accepted.keys()].filter((id) => !stored.has(id));
  const afterKill = [...loop.accepted.values()].filter((at) => at > killedAt + 50);
  return {
    accepted: loop.accepted.size,
    stored: stored.size,
    lost,
    refusals: Object.fromEntries(loop.refusals),
    resumedSeconds: (Math.min(...afterKill) - killedAt) / 1000,
  };
}

/**
 * Refused, never a 500: every failure during a failover is SERVICE_UNAVAILABLE. On a failure the
 * message quotes the API's own log of what it answered with INTERNAL_SERVER_ERROR, which says why.
 */
export function expectOnlyUnavailable(refusals: Record<string, number>, apiOutput: string): void {
  const internal = apiOutput.split("\n").filter((line) => line.includes("INTERNAL_SERVER_ERROR"));
  expect(
    Object.keys(refusals).filter((code) => code !== "SERVICE_UNAVAILABLE"),
    internal.slice(0, 5).join("\n"),
  ).toEqual([]);
}
