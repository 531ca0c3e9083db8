// What a failed run means for its job: the rules the worker and recovery share.
import { describe, expect, it } from "vitest";
import { decideFailure } from "../src/failure.ts";
import { HaltQueueError, type Job, PermanentError, RetryableError } from "../src/index.ts";

const policy = { maxAttempts: 3, backoff: { type: "exponential" as const, delayMs: 1_000 } };
const job = (extra: Partial<Job> = {}): Job => ({ id: "j1", type: "x", data: {}, attempts: 0, ...extra });
const NOW = 1_700_000_000_000;
const midJitter = () => 0.5; // backoff jitter is +-25%: 0.5 gives the base delay

describe("decideFailure", () => {
  it("retries an ordinary error with exponential backoff and counts the attempt", () => {
    const first = decideFailure(job(), new Error("timeout"), policy, NOW, midJitter);
    expect(first).toMatchObject({ kind: "retry", delayMs: 1_000, message: "timeout" });
    expect(first.kind === "retry" && first.job).toMatchObject({ attempts: 1, lastError: "timeout", failedAt: NOW });
    expect(decideFailure(job({ attempts: 1 }), new Error("timeout"), policy, NOW, midJitter)).toMatchObject({
      kind: "retry",
      delayMs: 2_000,
    });
  });

  it("waits as long as a provider's Retry-After says", () => {
    const outcome = decideFailure(job(), new RetryableError("429", { retryAfterMs: 30_000 }), policy, NOW);
    expect(outcome).toMatchObject({ kind: "retry", delayMs: 30_000 });
  });

  it("dead-letters a permanent error at once, with its reason", () => {
    const outcome = decideFailure(job(), new PermanentError("no such template", { reason: "invalid" }), policy, NOW);
    expect(outcome).toMatchObject({ kind: "dead", reason: "invalid", job: { attempts: 1 } });
  });

  it("dead-letters as exhausted when the last attempt fails, honouring the job's own limit", () => {
    expect(decideFailure(job({ attempts: 2 }), new Error("x"), policy, NOW)).toMatchObject({
      kind: "dead",
      reason: "exhausted",
      job: { attempts: 3 },
    });
    expect(decideFailure(job({ attempts: 2, maxAttempts: 5 }), new Error("x"), policy, NOW).kind).toBe("retry");
  });

  it("halts the queue without counting an attempt when the provider rejects the credentials", () => {
    expect(decideFailure(job({ attempts: 2 }), new HaltQueueError("401 bad key"), policy, NOW)).toEqual({
      kind: "halt",
      message: "401 bad key",
    });
  });
});
