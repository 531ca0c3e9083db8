// The contact store on a real Redis: upsert (patch semantics, canonical locale and time zone),
// get, find by address, page and search, groups, delete, tenants, and hostile input refused by
// field, never stored.
import { describe, expect, it } from "vitest";
import {
  ContactError,
  contactByEmail,
  contactGroups,
  contactProfiles,
  deleteContact,
  getContact,
  listContacts,
  upsertContact,
} from "../src/notifications/index.ts";
import { contactKeys } from "../src/notifications/keys.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();

async function refusal(promise: Promise<unknown>): Promise<ContactError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContactError);
  return error as ContactError;
}

describe("contact store", () => {
  it("creates, patches and clears fields, keeping what an upsert leaves out", async () => {
    const { contact, created } = await upsertContact(t.redis, {
      id: "c-1",
      email: "Ann@Example.com",
      name: "Ann",
      locale: "en-in",
      timeZone: "Asia/Kolkata",
      attributes: { plan: "gold", orders: 3 },
      groups: ["vip"],
    });
    expect(created).toBe(true);
    // Canonical forms are stored, so templates can rely on them.
    expect(contact).toMatchObject({ locale: "en-IN", timeZone: "Asia/Kolkata", tenant: null });
    const zoned = await upsertContact(t.redis, { id: "c-0", timeZone: "america/new_york" });
    expect(zoned.contact.timeZone).toBe("America/New_York");
    const patched = await upsertContact(t.redis, { id: "c-1", phone: "+919876543210", name: null });
    expect(patched.created).toBe(false);
    expect(patched.contact).toMatchObject({
      email: "Ann@Example.com",
      phone: "+919876543210",
      name: null,
      attributes: { plan: "gold", orders: 3 },
      groups: ["vip"],
    });
    expect(await getContact(t.redis, "c-1")).toEqual(patched.contact);
    expect((await contactByEmail(t.redis, "ann@example.COM"))?.id).toBe("c-1");
  });

  it("moves the email index and group membership with the contact, and deletes it everywhere", async () => {
    await upsertContact(t.redis, { id: "c-2", email: "old@example.com", groups: ["a", "b"] });
    await upsertContact(t.redis, { id: "c-2", email: "new@example.com", groups: ["b", "c"] });
    expect(await contactByEmail(t.redis, "old@example.com")).toBeNull();
    expect((await contactByEmail(t.redis, "new@example.com"))?.id).toBe("c-2");
    expect(await contactGroups(t.redis)).toMatchObject({ a: 0, b: 1, c: 1 });
    expect(await deleteContact(t.redis, "c-2")).toBe(true);
    expect(await deleteContact(t.redis, "c-2")).toBe(false);
    expect(await getContact(t.redis, "c-2")).toBeNull();
    expect(await contactByEmail(t.redis, "new@example.com")).toBeNull();
    expect(await contactGroups(t.redis)).toMatchObject({ b: 0, c: 0 });
  });

  it("pages in id order and searches id, email, phone and name", async () => {
    for (let i = 0; i < 25; i++) {
      await upsertContact(t.redis, {
        id: `p-${String(i).padStart(2, "0")}`,
        email: `person${i}@example.org`,
        name: i === 7 ? "Zoë Seven" : `Person ${i}`,
      });
    }
    const first = await listContacts(t.redis, { cursor: "p", limit: 10 });
    expect(first.contacts.map((c) => c.id)).toEqual(Array.from({ length: 10 }, (_, i) => `p-0${i}`));
    const second = await listContacts(t.redis, { cursor: first.nextCursor, limit: 10 });
    expect(second.contacts[0]?.id).toBe("p-10");
    expect((await listContacts(t.redis, { search: "zoë" })).contacts.map((c) => c.id)).toEqual(["p-07"]);
    expect((await listContacts(t.redis, { search: "PERSON24@" })).contacts.map((c) => c.id)).toEqual(["p-24"]);
    const last = await listContacts(t.redis, { cursor: "p-20", limit: 10 });
    expect(last.contacts.map((c) => c.id)).toEqual(["p-21", "p-22", "p-23", "p-24"]);
    expect(last.nextCursor).toBeNull();
  });

  it("keeps tenants apart: another service key neither sees nor overwrites a contact", async () => {
    await upsertContact(t.redis, { id: "t-1", email: "t@example.com" }, { tenant: "shop" });
    const refused = await refusal(upsertContact(t.redis, { id: "t-1", name: "Mallory" }, { tenant: "other" }));
    expect(refused.code).toBe("not_found");
    expect(await deleteContact(t.redis, "t-1", { tenant: "other" })).toBe(false);
    expect((await listContacts(t.redis, { tenant: "other", search: "t-1" })).contacts).toEqual([]);
    expect((await listContacts(t.redis, { tenant: "shop", search: "t-1" })).contacts).toHaveLength(1);
    // The admin (no tenant) sees and changes it; its owner stays.
    expect((await upsertContact(t.redis, { id: "t-1", name: "Ok" })).contact.tenant).toBe("shop");
  });

  it("refuses hostile input by field and stores nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ id: "has space" }, /id/],
      [{ id: "x".repeat(201) }, /id/],
      [{ id: "h-1", email: "not-an-address" }, /email/],
      [{ id: "h-1", phone: "12345" }, /phone/],
      [{ id: "h-1", locale: "not a locale!" }, /locale/],
      [{ id: "h-1", timeZone: "Mars/Olympus" }, /timeZone/],
      [{ id: "h-1", attributes: { "bad key": 1 } }, /attributes/],
      [{ id: "h-1", attributes: { big: "x".repeat(1_001) } }, /attributes/],
      [{ id: "h-1", attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, /attributes/],
      [{ id: "h-1", attributes: { nested: { deep: true } } }, /attributes/],
      [{ id: "h-1", groups: Array.from({ length: 21 }, (_, i) => `g${i}`) }, /groups/],
      [{ id: "h-1", name: "n".repeat(201) }, /name/],
    ];
    for (const [input, field] of cases) {
      const error = await refusal(upsertContact(t.redis, input as never));
      expect(error.code).toBe("invalid");
      expect(error.message).toMatch(field);
    }
    expect(await getContact(t.redis, "h-1")).toBeNull();
  });

  it("stops creating at the cap but still updates", async () => {
    const full = await refusal(upsertContact(t.redis, { id: "over-cap" }, { maxContacts: 1 }));
    expect(full.code).toBe("full");
    expect((await upsertContact(t.redis, { id: "c-1", name: "Still Ann" }, { maxContacts: 1 })).contact.name).toBe(
      "Still Ann",
    );
  });

  it("gives each recipient's locale and zone by address or number, in order, for the contact's tenant only", async () => {
    await upsertContact(t.redis, { id: "p-1", email: "Pia@Example.com", phone: "+4915123456789", locale: "de" });
    await upsertContact(t.redis, { id: "p-2", phone: "+919876500001", timeZone: "Asia/Kolkata" }, { tenant: "shop" });
    const asked = ["pia@example.COM", "+919876500001", "nobody@example.com", "+4915123456789"];
    expect(await contactProfiles(t.redis, asked)).toEqual([
      { locale: "de", timeZone: null },
      { locale: null, timeZone: "Asia/Kolkata" },
      null,
      { locale: "de", timeZone: null },
    ]);
    // Another tenant's contact is not used for this tenant's message; its own tenant's is.
    expect(await contactProfiles(t.redis, ["+919876500001"], { tenant: "other" })).toEqual([null]);
    expect(await contactProfiles(t.redis, ["+919876500001"], { tenant: "shop" })).toEqual([
      { locale: null, timeZone: "Asia/Kolkata" },
    ]);

    // The phone index moves with the number and goes with the contact.
    await upsertContact(t.redis, { id: "p-1", phone: "+4915123456780" });
    expect(await contactProfiles(t.redis, ["+4915123456789", "+4915123456780"])).toEqual([
      null,
      { locale: "de", timeZone: null },
    ]);
    await deleteContact(t.redis, "p-1");
    expect(await contactProfiles(t.redis, ["+4915123456780", "pia@example.com"])).toEqual([null, null]);
    // An index entry pointing at a contact that no longer holds the number is not believed.
    await t.redis.hset(contactKeys().byPhone, "+4915123456780", "p-2");
    expect(await contactProfiles(t.redis, ["+4915123456780"])).toEqual([null]);
  });
});
