import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, Queue, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("pause and resume", () => {
  it("holds: nothing starts while paused, everything runs after resume, nothing is lost", async () => {
    const name = queueName("pause");
    const queue = new Queue(name, { connection: t.redis });
    let runs = 0;
    for (let i = 0; i < 2; i++) workers.push(createWorker(name, async () => void runs++, { connection: t.connect() }));
    await Promise.all(workers.map((w) => w.start()));
    await queue.pause();
    // Idle workers are blocked on the empty queue when these arrive: the pause must still hold.
    await queue.pushBulk(Array.from({ length: 50 }, () => ({ type: "x" })));
    await queue.push({ type: "x" });
    // Pause is honoured within a heartbeat; give workers two full ones to misbehave.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(runs).toBe(0);
    expect((await queue.stats()).pending).toBe(51);
    await queue.resume();
    await waitFor(async () => (await queue.stats()).processed === 51, { message: "all 51 ran after resume" });
    expect(runs).toBe(51);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0, processed: 51 });
  });
});
