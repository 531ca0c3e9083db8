// cachedLiveTemplate (the API's per-send template lookup): a publish, rollback or delete through
// the same connection is seen by the next read; one through another connection (another API
// process) once the live-version token is read again.
import {
  cachedLiveTemplate,
  deleteTemplate,
  publishTemplate,
  rollbackTemplate,
  saveTemplateDraft,
} from "@notify/queue/notifications";
import { describe, expect, it, vi } from "vitest";
import { queueName, useRedis } from "./setup.ts";

const ctx = useRedis();

const sms = (name: string, text: string) => ({
  channel: "sms" as const,
  name,
  variables: [{ name: "code" }],
  locales: { default: { text } },
});

describe("cached live templates", () => {
  it("sees changes made through its own connection at once", async () => {
    const name = queueName("otp").toLowerCase();
    const api = ctx.connect();
    expect(await cachedLiveTemplate(api, "sms", name)).toBeNull();
    await saveTemplateDraft(api, sms(name, "v1 {{code}}"));
    await publishTemplate(api, "sms", name);
    expect((await cachedLiveTemplate(api, "sms", name))?.version).toBe(1);
    await saveTemplateDraft(api, sms(name, "v2 {{code}}"));
    await publishTemplate(api, "sms", name);
    expect((await cachedLiveTemplate(api, "sms", name))?.version).toBe(2);
    await rollbackTemplate(api, "sms", name, 1);
    expect((await cachedLiveTemplate(api, "sms", name))?.version).toBe(1);
    await deleteTemplate(api, "sms", name);
    expect(await cachedLiveTemplate(api, "sms", name)).toBeNull();
  });

  it("sees changes made through another connection once the token is read again", async () => {
    const name = queueName("otp").toLowerCase();
    const api = ctx.connect();
    const admin = ctx.connect();
    expect(await cachedLiveTemplate(api, "sms", name)).toBeNull();
    await saveTemplateDraft(admin, sms(name, "v1 {{code}}"));
    await publishTemplate(admin, "sms", name);
    await vi.waitFor(async () => expect((await cachedLiveTemplate(api, "sms", name))?.version).toBe(1));
    await deleteTemplate(admin, "sms", name);
    await vi.waitFor(async () => expect(await cachedLiveTemplate(api, "sms", name)).toBeNull());
  });
});
