// The contact store through the API over HTTP: service keys manage their own contacts, the admin
// sees everyone's; hostile input is refused by field; seed 003's EmailJob progress (batches.get)
// lists the contacts that failed; POST /queue/test answers a UUID batch id.
import { createNotifyClient, type NotifyClient } from "@notify/client";
import { PermanentError, parseRawJob, Queue } from "@notify/queue";
import { EMAIL_QUEUE, expandSeedEmailJob, SEED_EMAIL_JOB_TYPE } from "@notify/queue/notifications";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, OTHER_SERVICE_KEY, SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
let other: NotifyClient;
beforeAll(async () => {
  h = await startHarness();
  other = createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY });
});
afterAll(async () => {
  await h?.close();
});

describe("contacts", () => {
  it("upserts, gets, lists, searches and deletes a service key's own contacts", async () => {
    const created = await h.service.contacts.upsert.mutate({
      id: "api-1",
      email: "ann@example.com",
      name: "Ann",
      locale: "hi-IN",
      timeZone: "Asia/Kolkata",
      attributes: { plan: "gold" },
      groups: ["vip"],
    });
    expect(created).toMatchObject({ created: true, contact: { tenant: "tests", locale: "hi-IN" } });
    const changed = await h.service.contacts.upsert.mutate({ id: "api-1", phone: "+919876543210" });
    expect(changed.contact).toMatchObject({ email: "ann@example.com", phone: "+919876543210", groups: ["vip"] });
    expect(await h.service.contacts.get.query({ id: "api-1" })).toEqual(changed.contact);
    await h.service.contacts.upsert.mutate({ id: "api-2", email: "bob@example.com", name: "Bob" });
    const found = await h.service.contacts.list.query({ search: "BOB" });
    expect(found.contacts.map((c) => c.id)).toEqual(["api-2"]);
    // A tenant is not told how big everyone's store is; the admin is.
    expect(found.total).toBeNull();
    expect((await h.admin.contacts.list.query({})).total).toBeGreaterThanOrEqual(2);
    expect((await h.service.contacts.list.query({ group: "vip" })).contacts.map((c) => c.id)).toEqual(["api-1"]);
    expect(await h.service.contacts.delete.mutate({ id: "api-2" })).toEqual({ deleted: true });
    expect((await trpcError(h.service.contacts.get.query({ id: "api-2" }))).code).toBe("NOT_FOUND");
  });

  it("hides one tenant's contacts from another; the admin sees and edits them", async () => {
    await h.service.contacts.upsert.mutate({ id: "mine-1", email: "mine@example.com" });
    expect((await trpcError(other.contacts.get.query({ id: "mine-1" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(other.contacts.upsert.mutate({ id: "mine-1", name: "X" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(other.contacts.delete.mutate({ id: "mine-1" }))).code).toBe("NOT_FOUND");
    expect((await other.contacts.list.query({ search: "mine" })).contacts).toEqual([]);
    const edited = await h.admin.contacts.upsert.mutate({ id: "mine-1", name: "Edited" });
    expect(edited.contact).toMatchObject({ name: "Edited", tenant: "tests" });
  });

  it("refuses hostile input by field and never stores it", async () => {
    const bad = [
      { id: "../../etc" },
      { id: "x", email: "nope" },
      { id: "x", timeZone: "Nowhere/Land" },
      { id: "x", locale: "??" },
      { id: "x", attributes: { a: "z".repeat(5_000) } },
    ];
    for (const input of bad) {
      expect((await trpcError(h.service.contacts.upsert.mutate(input as never))).code).toBe("BAD_REQUEST");
    }
    expect((await trpcError(h.service.contacts.list.query({ limit: 10_000 }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(h.service.contacts.get.query({ id: "x" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(h.anonymous.contacts.list.query({}))).code).toBe("UNAUTHORIZED");
  });
});

describe("seed 003 batch progress", () => {
  it("batches.get lists the contacts of an EmailJob that never became an email", async () => {
    await h.admin.contacts.upsert.mutate({ id: "seed3-a", email: "a@example.com" });
    const parsed = parseRawJob(
      JSON.stringify({
        client_id: "c",
        contact_ids: ["seed3-a", "seed3-ghost"],
        template_id: "welcome",
        batch_id: "b3",
      }),
      { defaultType: SEED_EMAIL_JOB_TYPE },
    );
    if (!parsed.ok) throw new PermanentError(parsed.reason);
    await expandSeedEmailJob(h.redis, parsed.job);
    // The raw producer has no tenant: its batch is the admin's to read.
    expect(await h.admin.batches.get.query({ batchId: "b3" })).toMatchObject({
      total: 2,
      failed: 1,
      pending: 1,
      contactFailures: { total: 1, failures: [{ contactId: "seed3-ghost", reason: "unknown contact" }] },
    });
    expect((await trpcError(h.service.batches.get.query({ batchId: "b3" }))).code).toBe("NOT_FOUND");
  });

  it("POST /queue/test answers a UUID batch_id whose progress batches.get reads", async () => {
    const response = await fetch(`${h.app.url}/queue/test`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE_KEY },
    });
    const body = (await response.json()) as { queued: boolean; batch_id: string };
    expect(body.queued).toBe(true);
    expect(body.batch_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await h.service.batches.get.query({ batchId: body.batch_id })).toMatchObject({ total: 2, pending: 2 });
    await new Queue(EMAIL_QUEUE, { connection: h.redis }).clear();
  });
});
