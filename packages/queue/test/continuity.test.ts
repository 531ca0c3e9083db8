// Issue 15, item 5: the overview says when Redis restarted, and when a restart lost the data.
// Real restarts of a real redis-server, one with an append-only file and one without.
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { checkContinuity } from "../src/index.ts";
import { headSummary } from "../src/stats.ts";
import { useRedis } from "./setup.ts";

async function afterRestart(t: ReturnType<typeof useRedis>, before: string) {
  await t.server.restart();
  await waitFor(async () => (await t.redis.ping().catch(() => "")) === "PONG", {
    timeoutMs: 10_000,
    message: "redis back",
  });
  const after = await checkContinuity(t.redis);
  expect(after.runId).not.toBe(before);
  return after;
}

describe("with persistence", () => {
  const t = useRedis({ appendOnly: true });

  it("sees the first look, the same run, then a restart that kept the data", async () => {
    const first = await checkContinuity(t.redis);
    expect(first.marker).toBe("missing");
    expect(await checkContinuity(t.redis)).toMatchObject({ marker: "same", runId: first.runId, restartedAt: null });
    const after = await afterRestart(t, first.runId);
    expect(after).toMatchObject({ marker: "restarted", previousRunId: first.runId });
    expect(after.uptimeSeconds).toBeLessThan(60);
    // A later look (another admin process) still learns when the restart was noticed.
    expect(await checkContinuity(t.redis)).toMatchObject({ marker: "same", restartedAt: after.restartedAt });
  });
});

describe("without persistence", () => {
  const t = useRedis({ appendOnly: false });

  it("finds the marker gone after a restart that lost the data", async () => {
    const first = await checkContinuity(t.redis);
    await checkContinuity(t.redis);
    // The test server keeps no RDB either: a restart comes back empty.
    await t.redis.config("SET", "save", "");
    const after = await afterRestart(t, first.runId);
    expect(after.marker).toBe("missing");
  });
});

describe("the next job's summary", () => {
  it("reads the creation time and urgency, and nothing from foreign or huge text", () => {
    expect(headSummary(JSON.stringify({ id: "x", createdAt: 1_700_000_000_000, urgent: true }))).toEqual({
      createdAt: 1_700_000_000_000,
      urgent: true,
    });
    expect(headSummary("not json")).toEqual({ createdAt: null, urgent: false });
    expect(headSummary("[1,2]")).toEqual({ createdAt: null, urgent: false });
    const engineId = `${(1_700_000_000_000).toString(36).padStart(9, "0")}abcdefgh`;
    const huge = `{"id":"${engineId}","data":"${"a".repeat(100_000)}"}`;
    expect(headSummary(huge)).toEqual({ createdAt: 1_700_000_000_000, urgent: false });
  });
});
