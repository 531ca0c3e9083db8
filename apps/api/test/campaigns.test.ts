// Seed 002's newsletters through the API: a campaign with its own subject, HTML or MJML and text,
// shared variables and per-recipient personalizations, drained by the real email target (console
// provider into an outbox); progress by campaign id; bad content refused with the reason.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDrainTargets, type DrainTarget } from "@notify/delivery";
import { Queue } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let outbox = "";
const handlers: Record<string, DrainTarget> = {};
beforeAll(async () => {
  outbox = await mkdtemp(join(tmpdir(), "notify-campaign-outbox-"));
  h = await startHarness({ handlers });
  Object.assign(
    handlers,
    await createDrainTargets({ redis: h.redis, env: { OUTBOX_DIR: outbox, LOG_LEVEL: "silent", APP_NAME: "Acme" } }),
  );
});
afterAll(async () => {
  await h?.close();
  await rm(outbox, { recursive: true, force: true });
});

async function sentTo(to: string) {
  const dir = join(outbox, "email");
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".json")) continue;
    const meta = JSON.parse(await readFile(join(dir, name), "utf8")) as { to: string; subject: string };
    if (meta.to === to) {
      const base = join(dir, name.slice(0, -".json".length));
      return { ...meta, html: await readFile(`${base}.html`, "utf8"), text: await readFile(`${base}.txt`, "utf8") };
    }
  }
  return null;
}

describe("campaigns.send", () => {
  it("sends its own content with shared variables and personalizations, in batches, with progress", async () => {
    const result = await h.service.campaigns.send.mutate({
      subject: "{{month}} news for {{name}}",
      html: "<html><body><p>Hello {{name}}, your code is {{code}}.</p></body></html>",
      text: "Hello {{name}}, your code is {{code}}.",
      data: { month: "March", code: "SHARED" },
      recipients: [
        { to: "ann@example.com", personalizations: { name: "Ann", code: "A-1" } },
        { to: "bob@example.com", personalizations: { name: "<b>Bob</b>" } },
        { to: "cy@example.com", personalizations: { name: "Cy" } },
      ],
      batchSize: 2,
      campaignId: "march-news",
    });
    expect(result).toEqual({ queue: "email", campaignId: "march-news", batchId: "march-news", count: 3 });
    expect(await h.admin.workers.drain.mutate({ queue: "email", limit: 10 })).toMatchObject({
      processed: 3,
      deadLettered: 0,
    });
    const ann = await sentTo("ann@example.com");
    expect(ann).toMatchObject({ subject: "March news for Ann", text: "Hello Ann, your code is A-1." });
    expect(ann?.html).toContain("<p>Hello Ann, your code is A-1.</p>");
    const bob = await sentTo("bob@example.com");
    expect(bob?.html).toContain("Hello &lt;b&gt;Bob&lt;/b&gt;, your code is SHARED.");
    expect(await h.service.campaigns.get.query({ campaignId: "march-news" })).toMatchObject({
      subject: "{{month}} news for {{name}}",
      total: 3,
      sent: 3,
      failed: 0,
      pending: 0,
    });
    expect((await h.service.batches.get.query({ batchId: "march-news" })).sent).toBe(3);
  });

  it("compiles MJML once and falls back to the HTML's text without a text part", async () => {
    const { campaignId } = await h.service.campaigns.send.mutate({
      subject: "Hi",
      mjml: "<mjml><mj-body><mj-section><mj-column><mj-text>Dear {{name}}</mj-text></mj-column></mj-section></mj-body></mjml>",
      recipients: [{ to: "mj@example.com", personalizations: { name: "Mo" } }],
    });
    const stored = await h.redis.hget(`queue:{email}:campaign:${campaignId}`, "html");
    expect(stored).toContain("Dear {{name}}");
    expect(stored).not.toContain("<mj-text>");
    await h.admin.workers.drain.mutate({ queue: "email", limit: 10 });
    const sent = await sentTo("mj@example.com");
    expect(sent?.html).toContain("Dear Mo");
    expect(sent?.text).toBe("Dear Mo");
  });

  it("refuses broken MJML, both or neither body, and a campaign whose content is gone", async () => {
    const broken = await trpcError(
      h.service.campaigns.send.mutate({
        subject: "x",
        mjml: "<mjml><mj-body><mj-nope>x</mj-nope></mj-body></mjml>",
        recipients: [{ to: "a@example.com" }],
      }),
    );
    expect(broken.code).toBe("BAD_REQUEST");
    expect(broken.message).toMatch(/mjml/);
    const both = await trpcError(
      h.service.campaigns.send.mutate({
        subject: "x",
        html: "<p>x</p>",
        mjml: "<mjml></mjml>",
        recipients: [{ to: "a@example.com" }],
      }),
    );
    expect(both.code).toBe("BAD_REQUEST");
    expect(
      (await trpcError(h.service.campaigns.send.mutate({ subject: "x", recipients: [{ to: "a@example.com" }] }))).code,
    ).toBe("BAD_REQUEST");

    // Content expired before its jobs ran: each job is dead-lettered with the reason, not retried.
    const { campaignId } = await h.service.campaigns.send.mutate({
      subject: "x",
      html: "<p>{{name}}</p>",
      recipients: [{ to: "late@example.com" }],
    });
    await h.redis.del(`queue:{email}:campaign:${campaignId}`);
    expect(await h.admin.workers.drain.mutate({ queue: "email", limit: 10 })).toMatchObject({ deadLettered: 1 });
    const [dead] = (await new Queue("email", { connection: h.redis }).dlq.list({})).entries;
    expect(dead?.error).toMatch(/campaign .* is not stored/);
    expect((await trpcError(h.service.campaigns.get.query({ campaignId: "nope" }))).code).toBe("NOT_FOUND");
  });
});
