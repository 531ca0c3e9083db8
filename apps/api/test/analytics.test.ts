// analytics.campaign and analytics.daily (seed 002's analytics queue) over HTTP: they return what
// the analytics jobs stored, a tenant's key sees only its own campaign, the daily report (every
// tenant's email) is the admin's, and a missing report or a bad day is a clear error.
import { createNotifyClient } from "@notify/client";
import { aggregateCampaign, aggregateDay, recordEmailEvent } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, OTHER_SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const DAY = "2026-03-14";
const at = Date.parse(`${DAY}T10:00:00Z`);

describe("analytics procedures", () => {
  it("serve the stored campaign and daily reports, each to whom may read it", async () => {
    const { campaignId } = await h.service.campaigns.send.mutate({
      subject: "Pi day",
      html: "<p>Hi</p>",
      recipients: [{ to: "a@example.com" }, { to: "b@example.com" }],
    });
    let n = 0;
    for (const [type, recipient] of [
      ["EMAIL_DELIVERED", "a@example.com"],
      ["EMAIL_DELIVERED", "b@example.com"],
      ["EMAIL_OPENED", "b@example.com"],
    ] as const)
      await recordEmailEvent(h.redis, { type, data: { recipient, batchId: campaignId, timestamp: at } }, `e${n++}`);
    // As the analytics worker's jobs would (the worker's own tests run them through the queue).
    await aggregateCampaign(h.redis, campaignId);
    await aggregateDay(h.redis, DAY);

    expect(await h.service.analytics.campaign.query({ campaignId })).toMatchObject({
      campaignId,
      subject: "Pi day",
      total: 2,
      pending: 2,
      complete: false,
      delivered: 2,
      uniqueOpens: 1,
      openRate: 0.5,
    });
    const other = createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY });
    expect((await trpcError(other.analytics.campaign.query({ campaignId }))).code).toBe("NOT_FOUND");

    expect(await h.admin.analytics.daily.query({ day: DAY })).toMatchObject({
      day: DAY,
      events: { EMAIL_DELIVERED: 2, EMAIL_OPENED: 1 },
      campaigns: [campaignId],
    });
    expect((await trpcError(h.service.analytics.daily.query({ day: DAY }))).code).toBe("UNAUTHORIZED");
  });

  it("say plainly when there is no report or the input is not a day", async () => {
    expect((await trpcError(h.admin.analytics.daily.query({ day: "2026-01-01" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(h.admin.analytics.daily.query({ day: "2026-13-01" }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.admin.analytics.daily.query({ day: "x".repeat(2_000) }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.service.analytics.campaign.query({ campaignId: "nope" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(h.service.analytics.campaign.query({ campaignId: "../x y" }))).code).toBe("BAD_REQUEST");
  });
});
