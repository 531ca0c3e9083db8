// Seed 003's EmailJob expanded on a real Redis (deterministically, without a worker): one message
// per contact, each contact added to the batch once however often the job runs, the failures by
// contact with their reasons, and a pluggable template lookup.
import { describe, expect, it } from "vitest";
import { batchItemFailures, type Job, parseRawJob, Queue, queueKeys } from "../src/index.ts";
import {
  builtInTemplates,
  EMAIL_QUEUE,
  expandSeedEmailJob,
  SEED_EMAIL_JOB_TYPE,
  upsertContact,
} from "../src/notifications/index.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();

function seedJob(fields: Record<string, unknown>): Job {
  const parsed = parseRawJob(JSON.stringify(fields), { defaultType: SEED_EMAIL_JOB_TYPE });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.job;
}

describe("seed 003 EmailJob", () => {
  it("is an envelope of the default type with its own fields kept at the top level", () => {
    const job = seedJob({ client_id: "c", contact_ids: ["a"], template_id: "welcome", batch_id: "b" });
    expect(job).toMatchObject({ type: SEED_EMAIL_JOB_TYPE, contact_ids: ["a"], batch_id: "b", attempts: 0 });
    // Without a default type the same payload is invalid, as before.
    expect(parseRawJob('{"contact_ids":["a"]}').ok).toBe(false);
  });

  it("expands once per contact, however often it runs, and lists each contact that failed", async () => {
    await upsertContact(t.redis, { id: "e-1", email: "one@example.com", name: "One", attributes: { plan: "gold" } });
    await upsertContact(t.redis, { id: "e-2", phone: "+919876543210" });
    await upsertContact(t.redis, { id: "e-3", email: "three@example.com" }, { tenant: "shop" });
    const job = seedJob({
      client_id: "client-1",
      contact_ids: ["e-1", "e-2", "e-1", "ghost", "bad id", "e-3"],
      template_id: "Welcome-Email",
      batch_id: "batch-1",
    });
    const first = await expandSeedEmailJob(t.redis, job);
    // e-3 is a tenant's contact: a raw producer (no tenant) may use it.
    expect(first).toMatchObject({ batchId: "batch-1", template: "welcome", queued: 2, failed: 3, skipped: 0 });
    const again = await expandSeedEmailJob(t.redis, job);
    expect(again).toMatchObject({ queued: 0, failed: 0, skipped: 5 });

    const queue = new Queue(EMAIL_QUEUE, { connection: t.redis });
    expect(await queue.batch("batch-1")).toMatchObject({ total: 5, failed: 3, pending: 2 });
    const failures = await batchItemFailures(t.redis, queueKeys(EMAIL_QUEUE), "batch-1");
    expect(Object.fromEntries(failures.failures.map((f) => [f.item, f.reason]))).toEqual({
      "e-2": "contact has no email address",
      ghost: "unknown contact",
      "bad id": "not a valid contact id",
    });
    const pending = (await t.redis.lrange(queueKeys(EMAIL_QUEUE).pending, 0, -1)).map((raw) => JSON.parse(raw));
    expect(pending).toHaveLength(2);
    expect(pending[0]).toMatchObject({
      type: "welcome",
      to: "one@example.com",
      batchId: "batch-1",
      contactId: "e-1",
      clientId: "client-1",
      data: { user_name: "One", plan: "gold" },
    });
  });

  it("keeps another tenant's contacts out of a tenant's job", async () => {
    const job = { ...seedJob({ contact_ids: ["e-3"], template_id: "welcome", batch_id: "batch-2" }), tenant: "other" };
    expect(await expandSeedEmailJob(t.redis, job)).toMatchObject({ queued: 0, failed: 1 });
  });

  it("fails as a whole for an unknown template, and takes a resolver of one's own", async () => {
    const job = seedJob({ contact_ids: ["e-1"], template_id: "spring-sale", batch_id: "batch-3" });
    await expect(expandSeedEmailJob(t.redis, job)).rejects.toThrow(/unknown template_id "spring-sale"/);
    expect(builtInTemplates("order_confirmation")).toEqual({ template: "order_confirmation" });
    const templates = (id: string) => (id === "spring-sale" ? { template: "welcome" as const } : null);
    expect(await expandSeedEmailJob(t.redis, job, { templates })).toMatchObject({ queued: 1 });
  });

  it("dead-letters a payload that is not an EmailJob with the field named", async () => {
    await expect(expandSeedEmailJob(t.redis, seedJob({ contact_ids: [], template_id: "welcome" }))).rejects.toThrow(
      /contact_ids/,
    );
  });
});
