// Schedule controls through the admin API (issue 15 item 7): run now, disable and enable, last run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const QUEUE = "email";
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.admin.schedules.create.mutate({
    queue: QUEUE,
    name: "weekly-digest",
    cron: "0 9 * * 1",
    job: { type: "welcome", to: "digest@example.com", data: { user_name: "D" } },
  });
});
afterAll(async () => {
  await h?.close();
});

const listed = async () =>
  (await h.admin.schedules.list.query({ queue: QUEUE })).find((s) => s.name === "weekly-digest");

describe("schedule controls", () => {
  it("runs a schedule now and shows when it last ran", async () => {
    expect((await listed())?.lastRunAt).toBeNull();
    const before = Date.now();
    const { jobId } = await h.admin.schedules.runNow.mutate({ queue: QUEUE, name: "weekly-digest" });
    expect(jobId).toMatch(/^weekly-digest:manual:\d+$/);
    const queued = await h.admin.jobs.get.query({ queue: QUEUE, id: jobId });
    expect(queued.job).toMatchObject({ type: "welcome", to: "digest@example.com", schedule: "weekly-digest" });
    expect((await listed())?.lastRunAt).toBeGreaterThanOrEqual(before);
  });

  it("disables and enables a schedule, keeping its settings", async () => {
    const disabled = await h.admin.schedules.setDisabled.mutate({
      queue: QUEUE,
      name: "weekly-digest",
      disabled: true,
    });
    expect(disabled).toMatchObject({ disabled: true, nextRunAt: null, cron: "0 9 * * 1" });
    expect(await listed()).toMatchObject({ disabled: true, nextRunAt: null });
    const enabled = await h.admin.schedules.setDisabled.mutate({
      queue: QUEUE,
      name: "weekly-digest",
      disabled: false,
    });
    expect(enabled.disabled).toBe(false);
    expect(enabled.nextRunAt).toBeGreaterThan(Date.now());
    expect((await listed())?.nextRunAt).toBe(enabled.nextRunAt);
  });

  it("answers NOT_FOUND for a schedule that does not exist", async () => {
    const ran = await trpcError(h.admin.schedules.runNow.mutate({ queue: QUEUE, name: "nope" }));
    expect(ran).toMatchObject({ code: "NOT_FOUND", message: "no schedule nope in email" });
    const toggled = await trpcError(
      h.admin.schedules.setDisabled.mutate({ queue: QUEUE, name: "nope", disabled: true }),
    );
    expect(toggled.code).toBe("NOT_FOUND");
  });
});
