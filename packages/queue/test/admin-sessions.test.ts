// The admin's sessions and login throttle (issue 10, findings 5 and 6), against a real Redis.
import { randomBytes } from "node:crypto";
import { waitFor } from "@notify/testing";
import { describe, expect, it } from "vitest";
import { ADMIN_AUDIT_CAP, AdminAudit, AdminSessions, LoginThrottle } from "../src/index.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();
const prefix = () => `t-${randomBytes(3).toString("hex")}`;

describe("admin sessions", () => {
  it("gives every login its own random id and finds it until it is revoked", async () => {
    const sessions = new AdminSessions(t.redis, { prefix: prefix() });
    const a = await sessions.create(60_000);
    const b = await sessions.create(60_000);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.get(a.id)).toEqual(a);
    expect(await sessions.revoke(a.id)).toBe(true);
    expect(await sessions.get(a.id)).toBeNull();
    expect(await sessions.get(b.id)).toEqual(b);
    expect(await sessions.get("not-an-id")).toBeNull();
  });

  it("expires a session on the server, with the key's TTL bounding memory", async () => {
    const p = prefix();
    const sessions = new AdminSessions(t.redis, { prefix: p });
    const s = await sessions.create(1_000);
    const ttl = await t.redis.pttl(`${p}:{admin}:session:${s.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
    await waitFor(async () => (await sessions.get(s.id)) === null, { timeoutMs: 5_000, message: "expiry" });
  });

  it("voids every earlier session at once and keeps later ones", async () => {
    const sessions = new AdminSessions(t.redis, { prefix: prefix() });
    const before = await Promise.all([sessions.create(60_000), sessions.create(60_000)]);
    await sessions.revokeAll();
    for (const s of before) expect(await sessions.get(s.id)).toBeNull();
    const after = await sessions.create(60_000);
    expect(await sessions.get(after.id)).toEqual(after);
  });

  it("keeps each session's role, and reads a session stored without one as an admin (made before roles)", async () => {
    const p = prefix();
    const sessions = new AdminSessions(t.redis, { prefix: p });
    const viewer = await sessions.create(60_000, { role: "viewer" });
    expect(await sessions.get(viewer.id)).toMatchObject({ role: "viewer" });
    expect((await sessions.get((await sessions.create(60_000)).id))?.role).toBe("admin");
    const legacy = "L".repeat(43);
    const record = { createdAt: Date.now(), expiresAt: Date.now() + 60_000, generation: 0 };
    await t.redis.set(`${p}:{admin}:session:${legacy}`, JSON.stringify(record), "PX", 60_000);
    expect((await sessions.get(legacy))?.role).toBe("admin");
    await t.redis.set(`${p}:{admin}:session:${legacy}`, JSON.stringify({ ...record, role: "root" }), "PX", 60_000);
    expect((await sessions.get(legacy))?.role).toBe("viewer");
  });

  it("refuses lifetimes outside 1 s to 7 days", async () => {
    const sessions = new AdminSessions(t.redis, { prefix: prefix() });
    await expect(sessions.create(10)).rejects.toThrow(RangeError);
    await expect(sessions.create(8 * 24 * 3_600_000)).rejects.toThrow(RangeError);
  });
});

describe("login throttle", () => {
  const limits = { perClient: 3, global: 5, windowMs: 60_000 };

  it("refuses a client past its limit with the time left in its window", async () => {
    const throttle = new LoginThrottle(t.redis, { prefix: prefix() });
    for (let i = 0; i < 3; i++) expect(await throttle.attempt("10.0.0.1", limits)).toMatchObject({ allowed: true });
    const refused = await throttle.attempt("10.0.0.1", limits);
    expect(refused).toMatchObject({ allowed: false, scope: "client" });
    if (refused.allowed) throw new Error("unreachable");
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await throttle.attempt("10.0.0.2", limits)).toMatchObject({ allowed: true });
  });

  it("refuses everyone past the global limit, and a refused client does not use it up", async () => {
    const throttle = new LoginThrottle(t.redis, { prefix: prefix() });
    // Three allowed attempts count globally; the seven refused ones do not.
    for (let i = 0; i < 10; i++) await throttle.attempt("greedy", limits);
    for (const client of ["a", "b"]) expect(await throttle.attempt(client, limits)).toMatchObject({ allowed: true });
    expect(await throttle.attempt("c", limits)).toMatchObject({ allowed: false, scope: "global" });
  });

  it("starts a client afresh after a correct password, and windows expire", async () => {
    const throttle = new LoginThrottle(t.redis, { prefix: prefix() });
    const short = { perClient: 1, global: 100, windowMs: 1_000 };
    await throttle.attempt("x", short);
    expect(await throttle.attempt("x", short)).toMatchObject({ allowed: false });
    await throttle.succeeded("x");
    expect(await throttle.attempt("x", short)).toMatchObject({ allowed: true });
    expect(await throttle.attempt("x", short)).toMatchObject({ allowed: false });
    await waitFor(
      async () => (await throttle.attempt("y", short)).allowed && (await throttle.attempt("x", short)).allowed,
      {
        timeoutMs: 5_000,
        message: "the window to end",
      },
    );
  });
});

describe("admin audit log", () => {
  it("lists newest first, cuts long fields and keeps only the newest entries", async () => {
    const p = prefix();
    const audit = new AdminAudit(t.redis, { prefix: p });
    await audit.record({ actor: "admin", action: "pause", target: "email", detail: "Queue email paused." });
    await audit.record({ actor: "viewer", action: "purge", target: "x".repeat(5_000), ok: false });
    const { entries, total } = await audit.list({ offset: 0, limit: 10 });
    expect(total).toBe(2);
    expect(entries.map((e) => e.action)).toEqual(["purge", "pause"]);
    expect(entries[0]?.target.length).toBe(200);
    expect(entries[0]?.ok).toBe(false);
    expect(entries[1]).toMatchObject({ actor: "admin", target: "email", detail: "Queue email paused.", ok: true });

    const pipeline = t.redis.pipeline();
    for (let i = 0; i < ADMIN_AUDIT_CAP; i++) pipeline.lpush(`${p}:{admin}:audit`, "{}");
    await pipeline.exec();
    await audit.record({ actor: "admin", action: "delete", target: "job-1" });
    expect(await t.redis.llen(`${p}:{admin}:audit`)).toBe(ADMIN_AUDIT_CAP);
    const page = await audit.list({ offset: 0, limit: 3 });
    // Damaged entries are skipped, the newest real one comes first.
    expect(page.entries.map((e) => e.action)).toEqual(["delete"]);
  });
});
