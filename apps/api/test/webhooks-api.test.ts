// webhooks.* and messages.* over HTTP: each service key manages and reads only its own; the admin
// sees all; bad input is refused on its field; a secret is never in a list.
import { createNotifyClient } from "@notify/client";
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

describe("webhook endpoints through the API", () => {
  it("belong to the key that registered them", async () => {
    const other = createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY });
    const mine = await h.service.webhooks.create.mutate({
      url: "https://app.example.com/hooks",
      events: ["message.sent"],
    });
    expect(mine).toMatchObject({ tenant: "tests", events: ["message.sent"] });
    expect(mine.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const listed = await h.service.webhooks.list.query();
    expect(listed.map((e) => e.id)).toEqual([mine.id]);
    expect(JSON.stringify(listed)).not.toContain(mine.secret);
    expect(await other.webhooks.list.query()).toEqual([]);
    expect((await trpcError(other.webhooks.get.query({ id: mine.id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(other.webhooks.delete.mutate({ id: mine.id }))).code).toBe("NOT_FOUND");
    expect((await trpcError(other.webhooks.sendTest.mutate({ id: mine.id }))).code).toBe("NOT_FOUND");
    expect((await h.admin.webhooks.list.query()).map((e) => e.id)).toContain(mine.id);

    const paused = await h.service.webhooks.setPaused.mutate({ id: mine.id, paused: true });
    expect(paused.paused?.reason).toMatch(/application/);
    expect((await h.service.webhooks.setPaused.mutate({ id: mine.id, paused: false })).paused).toBeUndefined();
    expect(await h.service.webhooks.delete.mutate({ id: mine.id })).toEqual({ deleted: true });
    expect((await trpcError(h.service.webhooks.get.query({ id: mine.id }))).code).toBe("NOT_FOUND");
  });

  it("refuses what is not an http(s) URL, an unknown event type, a malformed secret or id", async () => {
    const bad = [
      { url: "ftp://example.com/x", events: ["message.sent"] },
      { url: "not a url", events: ["message.sent"] },
      { url: `https://example.com/${"a".repeat(3000)}`, events: ["message.sent"] },
      { url: "https://example.com/x", events: [] },
      { url: "https://example.com/x", events: ["message.exploded"] },
      { url: "https://example.com/x", events: ["message.sent"], secret: "plain-secret" },
    ];
    for (const input of bad) {
      const error = await trpcError(h.service.webhooks.create.mutate(input as never));
      expect(error.code, JSON.stringify(input).slice(0, 80)).toBe("BAD_REQUEST");
    }
    expect((await trpcError(h.service.webhooks.get.query({ id: "../../etc" }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.anonymous.webhooks.list.query())).code).toBe("UNAUTHORIZED");
  });

  it("messages: an unknown id is NOT_FOUND, a search with nothing logged is an empty page, input is bounded", async () => {
    expect((await trpcError(h.service.messages.get.query({ id: "nope" }))).code).toBe("NOT_FOUND");
    expect(await h.service.messages.search.query({ to: "nobody@example.com" })).toEqual({
      total: 0,
      exact: true,
      messages: [],
    });
    expect((await trpcError(h.service.messages.search.query({ limit: 10_000 }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.service.messages.search.query({ to: "x".repeat(400) }))).code).toBe("BAD_REQUEST");
  });
});
