// Login, the guard and logout, through the real loaders and actions against the real API (whose
// sessions procedures keep the sessions in a throw-away Redis).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAdminEnv, resetAdminEnv } from "../app/lib/env.server.ts";
import { passwordMatches, requireAdmin } from "../app/lib/session.server.ts";
import { action as loginAction, loader as loginLoader } from "../app/routes/login.tsx";
import { action as logoutAction } from "../app/routes/logout.tsx";
import { action as queueAction } from "../app/routes/queues.$queue.tsx";
import { loader as redisLoader } from "../app/routes/redis.tsx";
import { asData, get, loginCookie, post, thrown } from "./support/requests.ts";
import { ADMIN_TOKEN, type Stack, startStack } from "./support/stack.ts";

const PASSWORD = "s3cret-admin-password";
let stack: Stack;
const saved = { ...process.env };

function configure(extra: Record<string, string> = {}): void {
  process.env = {
    ...saved,
    NODE_ENV: "test",
    ADMIN_PASSWORD: PASSWORD,
    ADMIN_TOKEN,
    SESSION_SECRET: "unit-test-session-secret-0123456789",
    API_URL: stack.apiUrl,
    ...extra,
  };
  resetAdminEnv();
}

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  process.env = { ...saved };
  resetAdminEnv();
  await stack?.stop();
});

describe("login, session and the guard", () => {
  beforeEach(() => configure());

  it("refuses a wrong password with 401 and sets no cookie", async () => {
    const result = asData(
      await loginAction({
        request: post("/login", { password: "wrong" }),
        params: {},
        context: { clientAddress: "a" },
      }),
    );
    expect(result.status).toBe(401);
    expect(result.data).toEqual({ error: "Wrong password." });
  });

  it("sets a signed httpOnly SameSite=Lax cookie and honours only local ?next=", async () => {
    const response = await loginAction({
      request: post("/login", { password: PASSWORD, next: "/dead-letters?queue=email" }),
      params: {},
      context: { clientAddress: "b" },
    });
    expect(response).toBeInstanceOf(Response);
    const res = response as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dead-letters?queue=email");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__notify_admin=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const evil = await loginAction({
      request: post("/login", { password: PASSWORD, next: "//evil.example" }),
      params: {},
      context: { clientAddress: "b" },
    });
    expect((evil as Response).headers.get("location")).toBe("/");
  });

  it("refuses a login posted from another site", async () => {
    const error = await thrown(() =>
      loginAction({
        request: post("/login", { password: PASSWORD }, { origin: "https://evil.example" }),
        params: {},
        context: {},
      }),
    );
    expect((error as Response).status).toBe(403);
  });

  it("redirects a page without a session to /login, remembering where it was", async () => {
    const error = await thrown(() => redisLoader({ request: get("/redis"), params: {}, context: {} }));
    expect((error as Response).status).toBe(302);
    expect((error as Response).headers.get("location")).toBe("/login?next=%2Fredis");
  });

  it("rejects a forged or tampered cookie", async () => {
    const cookie = await loginCookie(PASSWORD);
    const [name, value = ""] = cookie.split("=");
    const tampered = `${name}=${value.slice(0, -3)}abc`;
    const error = await thrown(() => requireAdmin(get("/", tampered)));
    expect((error as Response).headers.get("location")).toBe("/login");
    await expect(requireAdmin(get("/", cookie))).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it("refuses actions without a session and cross-site actions with one", async () => {
    const noSession = await thrown(() =>
      queueAction({ request: post("/queues/email", { intent: "pause" }), params: { queue: "email" }, context: {} }),
    );
    expect((noSession as Response).headers.get("location")).toMatch(/^\/login/);

    const cookie = await loginCookie(PASSWORD);
    const crossSite = await thrown(() =>
      queueAction({
        request: post("/queues/email", { intent: "pause" }, { cookie, origin: "https://evil.example" }),
        params: { queue: "email" },
        context: {},
      }),
    );
    expect((crossSite as Response).status).toBe(403);
  });

  it("sends a logged-in user away from the login page and logs out with a POST", async () => {
    const cookie = await loginCookie(PASSWORD);
    const away = await thrown(() => loginLoader({ request: get("/login", cookie), params: {}, context: {} }));
    expect((away as Response).headers.get("location")).toBe("/");
    const out = await logoutAction({
      request: post("/logout", { intent: "logout" }, { cookie }),
      params: {},
      context: {},
    });
    expect(out.headers.get("location")).toBe("/login");
    expect(out.headers.get("set-cookie")).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it("refuses a viewer password equal to the admin's, and a short one in production", () => {
    const base = { NODE_ENV: "test", ADMIN_PASSWORD: "the admin password" };
    expect(() => parseAdminEnv({ ...base, ADMIN_VIEWER_PASSWORD: "the admin password" })).toThrow(/must differ/);
    expect(parseAdminEnv({ ...base, ADMIN_VIEWER_PASSWORD: "look only" }).viewerPassword).toBe("look only");
    const production = {
      NODE_ENV: "production",
      ADMIN_PASSWORD: "a strong admin password",
      SESSION_SECRET: "s".repeat(32),
      ADMIN_TOKEN: "t".repeat(32),
    };
    expect(() => parseAdminEnv({ ...production, ADMIN_VIEWER_PASSWORD: "short" })).toThrow(
      /ADMIN_VIEWER_PASSWORD is too short/,
    );
  });

  it("never accepts an empty configured password", () => {
    configure({ ADMIN_PASSWORD: "" });
    expect(passwordMatches("")).toBe(false);
  });

  it("shows the API being down as a 503 with a message, not a stack", async () => {
    const cookie = await loginCookie(PASSWORD);
    configure({ API_URL: "http://127.0.0.1:9" });
    const error = asData(await thrown(() => redisLoader({ request: get("/redis", cookie), params: {}, context: {} })));
    expect(error.status).toBe(503);
    expect(error.data).toMatchObject({ kind: "unavailable" });
    expect(String((error.data as { message: string }).message)).toContain("cannot be reached");
  });
});
