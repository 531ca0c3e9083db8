// Recurring jobs: one enqueue per tick however many workers run.
import { waitFor } from "@notify/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker, nextRun, Queue, queueKeys, type Worker } from "../src/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

describe("recurring jobs", () => {
  it("enqueues exactly one job per tick with three workers racing", async () => {
    const name = queueName("cron");
    const queue = new Queue(name, { connection: t.redis });
    const ticks: string[] = [];
    for (let i = 0; i < 3; i++)
      workers.push(createWorker(name, async (job) => void ticks.push(job.id), { connection: t.connect() }));
    await queue.schedules.upsert({
      name: "digest",
      cron: "* * * * * *",
      job: { type: "digest", data: { kind: "daily" } },
    });
    await waitFor(() => ticks.length >= 3, { timeoutMs: 8_000, message: "three ticks" });
    await queue.schedules.remove("digest");
    expect(new Set(ticks).size).toBe(ticks.length);
    const seconds = ticks.map((id) => Number(id.split(":")[1]));
    expect(new Set(seconds).size).toBe(ticks.length);
    expect(await queue.schedules.list()).toEqual([]);
  });

  it("computes ticks in the schedule's time zone", () => {
    // 09:00 in Kolkata is 03:30 UTC.
    const next = nextRun("0 9 * * *", "Asia/Kolkata", Date.UTC(2026, 0, 1, 0, 0));
    expect(new Date(next ?? 0).toISOString()).toBe("2026-01-01T03:30:00.000Z");
  });

  it("rejects a bad cron expression with a clear error", async () => {
    const queue = new Queue(queueName("badcron"), { connection: t.redis });
    await expect(queue.schedules.upsert({ name: "x", cron: "every tuesday", job: { type: "x" } })).rejects.toThrow(
      /invalid schedule/,
    );
    await expect(
      queue.schedules.upsert({ name: "x", cron: "0 9 * * *", tz: "Mars/Olympus", job: { type: "x" } }),
    ).rejects.toThrow(/invalid schedule/);
  });

  it("runs now, disables and enables, and records the last run", async () => {
    const name = queueName("schedctl");
    const queue = new Queue(name, { connection: t.redis });
    const pendingIds = async () =>
      (await t.redis.lrange(queueKeys(name).pending, 0, -1)).map((raw) => (JSON.parse(raw) as { id: string }).id);
    await queue.schedules.upsert({ name: "report", cron: "0 9 * * *", job: { type: "report", data: { n: 1 } } });
    const [fresh] = await queue.schedules.list();
    expect(fresh).toMatchObject({ name: "report", lastRunAt: null, nextRunAt: expect.any(Number) });
    expect(fresh?.disabled).toBeUndefined();

    const ran = await queue.schedules.runNow("report", 1_000);
    expect(ran).toEqual({ jobId: "report:manual:1000" });
    expect(await pendingIds()).toEqual(["report:manual:1000"]);
    expect((await queue.schedules.get("report"))?.lastRunAt).toBe(1_000);
    expect(await queue.schedules.runNow("missing")).toBeNull();

    expect(await queue.schedules.setDisabled("report", true)).toMatchObject({ disabled: true, nextRunAt: null });
    expect((await queue.schedules.list())[0]).toMatchObject({ disabled: true, nextRunAt: null, lastRunAt: 1_000 });
    // Disabled: no tick fires however late it is, but run-now still works.
    expect(await queue.schedules.fireDue(Date.now() + 2 * 86_400_000)).toBe(0);
    expect((await queue.schedules.runNow("report", 2_000))?.jobId).toBe("report:manual:2000");

    const enabled = await queue.schedules.setDisabled("report", false);
    expect(enabled).toMatchObject({ disabled: false, lastRunAt: 2_000 });
    const due = enabled?.nextRunAt ?? 0;
    expect(due).toBeGreaterThan(Date.now());
    expect(await queue.schedules.fireDue(due)).toBe(1);
    expect(await pendingIds()).toEqual(["report:manual:1000", "report:manual:2000", `report:${due}`]);
    expect((await queue.schedules.get("report"))?.lastRunAt).toBe(due);
    expect(await queue.schedules.setDisabled("missing", true)).toBeNull();
    expect(await queue.schedules.remove("report")).toBe(true);
    expect(await t.redis.exists(queueKeys(name).schedulesLastRun)).toBe(0);
  });
});
