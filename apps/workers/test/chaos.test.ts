// A smaller `npm run chaos`: worker processes SIGKILLed and restarted, Redis restarted from its
// AOF, a worker frozen past its lease, Redis at maxmemory, and a graceful stop whose provider call
// ignores its abort; still every accepted job reaches the provider.
import { describe, expect, it } from "vitest";
import { runChaos } from "../dev/chaos.ts";

describe("chaos", () => {
  it("loses no job through kills, a Redis restart, a freeze, a full Redis and a stubborn stop", async () => {
    const report = await runChaos({ jobs: 2_000, kills: 4, workers: 3, killEveryMs: 500, deadlineMs: 150_000 });
    expect(report).toMatchObject({
      accepted: 2_001, // the stubborn stop's job included
      delivered: 2_001,
      lost: 0,
      kills: 4,
      frozen: 1,
      oomEpisodes: 1,
      stubbornStops: 1,
      redisRestarts: 1,
      deadLettered: 0,
    });
    // At least once: only jobs a victim held at its fault may be sent twice, and of those only the
    // ones whose send had started. A send in progress at a fault reaches the stand-in a moment
    // later, so the tighter bound allows one worker's concurrency (EMAIL_CONCURRENCY 20) per fault.
    expect(report.duplicates).toBeLessThanOrEqual(report.heldAtFaults);
    expect(report.duplicates).toBeLessThanOrEqual(report.sentBeforeFault + 20 * (report.kills + report.frozen));
    expect(report.recoverySeconds).toBeGreaterThan(0);
  }, 180_000);
});
