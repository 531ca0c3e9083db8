// Stored templates, preferences and quiet hours (issue 14) against a real redis-server.
import {
  chooseLocale,
  getTemplate,
  isUnsubscribed,
  listTemplates,
  liveTemplate,
  parseQuietHours,
  publishTemplate,
  quietHoursEnd,
  resubscribe,
  rollbackTemplate,
  saveTemplateDraft,
  storedDataIssues,
  suppress,
  suppressions,
  TEMPLATE_LIMITS,
  TemplateStoreError,
  unsubscribe,
} from "@notify/queue/notifications";
import { describe, expect, it } from "vitest";
import { queueName, useRedis } from "./setup.ts";

const ctx = useRedis();

const sms = (name: string, text: string) => ({
  channel: "sms" as const,
  name,
  variables: [{ name: "code" }],
  locales: { default: { text } },
});

describe("template store", () => {
  it("keeps a draft unsent until published, then versions, rolls back and lists", async () => {
    const name = queueName("promo").toLowerCase();
    await saveTemplateDraft(ctx.redis, sms(name, "v1 {{code}}"));
    expect(await liveTemplate(ctx.redis, "sms", name)).toBeNull();

    expect((await publishTemplate(ctx.redis, "sms", name, "first")).version).toBe(1);
    await saveTemplateDraft(ctx.redis, sms(name, "v2 {{code}}"));
    expect((await liveTemplate(ctx.redis, "sms", name))?.locales.default).toEqual({ text: "v1 {{code}}" });
    await publishTemplate(ctx.redis, "sms", name);
    expect((await liveTemplate(ctx.redis, "sms", name))?.version).toBe(2);

    await rollbackTemplate(ctx.redis, "sms", name, 1);
    const live = await liveTemplate(ctx.redis, "sms", name);
    expect(live?.version).toBe(1);
    expect(live?.locales.default).toEqual({ text: "v1 {{code}}" });
    const detail = await getTemplate(ctx.redis, "sms", name);
    expect(detail?.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(detail?.versions[1]?.note).toBe("first");
    expect(detail?.unpublishedChanges).toBe(false);
    expect((await listTemplates(ctx.redis, "sms")).map((t) => t.name)).toContain(name);
    await expect(rollbackTemplate(ctx.redis, "sms", name, 9)).rejects.toThrow(/no version 9/);
  });

  it("keeps at most maxVersions versions, the live one included", async () => {
    const name = queueName("many").toLowerCase();
    await saveTemplateDraft(ctx.redis, sms(name, "x {{code}}"));
    for (let i = 0; i < TEMPLATE_LIMITS.maxVersions + 3; i++) await publishTemplate(ctx.redis, "sms", name);
    const detail = await getTemplate(ctx.redis, "sms", name);
    expect(detail?.versions).toHaveLength(TEMPLATE_LIMITS.maxVersions);
    expect(detail?.versions[0]?.version).toBe(TEMPLATE_LIMITS.maxVersions + 3);
  });

  it("refuses oversized and malformed templates with a clear message", async () => {
    const huge = sms("huge", "a".repeat(2_000));
    await expect(saveTemplateDraft(ctx.redis, huge)).rejects.toThrow(TemplateStoreError);
    await expect(saveTemplateDraft(ctx.redis, { ...sms("x", "t"), locales: { de: { text: "t" } } })).rejects.toThrow(
      /"default" locale is required/,
    );
    await expect(saveTemplateDraft(ctx.redis, sms("Bad Name", "t"))).rejects.toThrow(/template names/);
    expect(await liveTemplate(ctx.redis, "sms", "../etc")).toBeNull();
  });

  it("checks data against the declared variables and picks the locale variant", () => {
    const template = {
      channel: "sms" as const,
      name: "t",
      category: "transactional",
      description: undefined,
      variables: [
        { name: "code", required: true, maxLength: 6 },
        { name: "note", required: false, maxLength: 10 },
      ],
      locales: { default: { text: "a" }, de: { text: "b" }, "pt-BR": { text: "c" } },
    };
    expect(storedDataIssues(template, { code: "123" })).toEqual([]);
    expect(storedDataIssues(template, {})).toEqual([{ path: ["code"], message: "required by the template" }]);
    expect(storedDataIssues(template, { code: "1234567" })[0]?.path).toEqual(["code"]);
    expect(storedDataIssues(template, { code: { nested: true } })[0]?.path).toEqual(["code"]);
    expect(chooseLocale(template.locales, "de-AT")).toBe("de");
    expect(chooseLocale(template.locales, "pt_br")).toBe("pt-BR");
    expect(chooseLocale(template.locales, "fr")).toBe("default");
    expect(chooseLocale(template.locales, 42)).toBe("default");
  });
});

describe("preferences and suppressions", () => {
  it("unsubscribes from one category only, never from transactional mail", async () => {
    const who = `${queueName("ann")}@example.com`;
    expect(await unsubscribe(ctx.redis, who.toUpperCase(), "marketing")).toBe(true);
    expect(await unsubscribe(ctx.redis, who, "marketing")).toBe(false);
    expect(await isUnsubscribed(ctx.redis, who, "marketing")).toBe(true);
    expect(await isUnsubscribed(ctx.redis, who, "newsletter")).toBe(false);
    expect(await isUnsubscribed(ctx.redis, who, "transactional")).toBe(false);
    await expect(unsubscribe(ctx.redis, who, "transactional")).rejects.toThrow(/cannot be unsubscribed/);
    expect(await resubscribe(ctx.redis, who, "marketing")).toBe(true);
    expect(await isUnsubscribed(ctx.redis, who, "marketing")).toBe(false);
  });

  it("records why an operator removed a suppression", async () => {
    const who = `${queueName("bob")}@example.com`;
    await suppress(ctx.redis, who, "hard_bounce", { detail: "mailbox full" });
    expect(await suppressions.remove(ctx.redis, who, "mailbox fixed, customer called")).toBe(true);
    expect(await suppressions.remove(ctx.redis, who, "again")).toBe(false);
    const [latest] = await suppressions.removals(ctx.redis);
    expect(latest).toMatchObject({
      address: who,
      reason: "mailbox fixed, customer called",
      was: { reason: "hard_bounce" },
    });
  });
});

describe("quiet hours", () => {
  const at = (iso: string) => Date.parse(iso);
  const night = parseQuietHours("21:00-08:00");

  it("holds a message inside a window that spans midnight until it ends, in the recipient's zone", () => {
    expect(quietHoursEnd(night, "UTC", at("2026-03-10T23:30:00Z"))).toBe(at("2026-03-11T08:00:00Z"));
    expect(quietHoursEnd(night, "UTC", at("2026-03-10T06:00:00Z"))).toBe(at("2026-03-10T08:00:00Z"));
    expect(quietHoursEnd(night, "UTC", at("2026-03-10T12:00:00Z"))).toBe(at("2026-03-10T12:00:00Z"));
    // 12:00 UTC is 21:30 in Kolkata (UTC+5:30): held until 08:00 there, 02:30 UTC.
    expect(quietHoursEnd(night, "Asia/Kolkata", at("2026-03-10T16:00:00Z"))).toBe(at("2026-03-11T02:30:00Z"));
    expect(quietHoursEnd(night, "Not/AZone", at("2026-03-10T23:30:00Z"))).toBe(at("2026-03-11T08:00:00Z"));
  });

  it("handles a window within one day and refuses malformed ones", () => {
    const lunch = parseQuietHours("12:00-13:30:15");
    expect(quietHoursEnd(lunch, "UTC", at("2026-03-10T12:10:00Z"))).toBe(at("2026-03-10T13:30:15Z"));
    expect(quietHoursEnd(lunch, "UTC", at("2026-03-10T13:30:15Z"))).toBe(at("2026-03-10T13:30:15Z"));
    expect(() => parseQuietHours("25:00-08:00")).toThrow();
    expect(() => parseQuietHours("08:00-08:00")).toThrow();
    expect(() => parseQuietHours("21:00")).toThrow();
  });
});
