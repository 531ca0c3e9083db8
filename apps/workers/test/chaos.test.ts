// A smaller `npm run chaos`: worker processes SIGKILLed and restarted, Redis restarted from its
// AOF, and still every accepted job reaches the provider.
import { describe, expect, it } from "vitest";
import { runChaos } from "../src/dev/chaos.ts";

describe("chaos", () => {
  it("loses no job through kill -9 of workers and a Redis restart", async () => {
    const report = await runChaos({ jobs: 2_000, kills: 4, workers: 3, killEveryMs: 500, deadlineMs: 120_000 });
    expect(report).toMatchObject({
      accepted: 2_000,
      delivered: 2_000,
      lost: 0,
      kills: 4,
      redisRestarts: 1,
      deadLettered: 0,
    });
    // At least once: a kill between a send and its ack re-sends; bounded by what was in flight.
    expect(report.duplicates).toBeLessThan(4 * 20 + 3 * 20);
  }, 150_000);
});
