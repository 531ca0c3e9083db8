// Issue 15, item 4: delete one pending or delayed job, and run a delayed one now, by id.
import { describe, expect, it } from "vitest";
import { Queue } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("one waiting job", () => {
  it("deletes a pending job by id and leaves the others", async () => {
    const queue = new Queue(queueName("rm"), { connection: t.redis });
    const a = await queue.push({ type: "t", data: {} });
    const b = await queue.push({ type: "t", data: {} });
    expect(await queue.removeWaiting({ state: "pending", id: a.id })).toBe(true);
    expect(await queue.removeWaiting({ state: "pending", id: a.id })).toBe(false);
    const stats = await queue.stats();
    expect(stats.pending).toBe(1);
    expect((await queue.peek(5)).map((f) => f.job?.id)).toEqual([b.id]);
  });

  it("deletes a delayed job, and runs another one now, exactly once", async () => {
    const queue = new Queue(queueName("promote"), { connection: t.redis });
    const later = await queue.push({ type: "t", data: {} }, { delayMs: 3_600_000 });
    const other = await queue.push({ type: "t", data: {} }, { delayMs: 3_600_000 });
    expect(await queue.removeWaiting({ state: "delayed", id: other.id })).toBe(true);
    expect(await queue.promote(later.id)).toBe(true);
    expect(await queue.promote(later.id)).toBe(false);
    const stats = await queue.stats();
    expect({ pending: stats.pending, delayed: stats.delayed }).toEqual({ pending: 1, delayed: 0 });
    expect((await queue.peek(5)).map((f) => f.job?.id)).toEqual([later.id]);
  });
});
