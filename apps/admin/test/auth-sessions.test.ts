// Issue 10, the admin's findings 4, 5, 6, 7, 9 and 11: login throttling, server-side sessions,
// redirects after login, the Secure cookie, cross-site posts, security headers and weak secrets.
// The running admin (built, under its Procfile line) is attacked over plain HTTP; the parts that
// need another configuration call the real loaders and actions against the same API and Redis.
import { execFileSync, spawn } from "node:child_process";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "@notify/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetAdminEnv } from "../app/lib/env.server.ts";
import { safeRedirect } from "../app/lib/safe-redirect.ts";
import { requireAdmin } from "../app/lib/session.server.ts";
import { action as loginAction, loader as loginLoader } from "../app/routes/login.tsx";
import { type Answer, getPage, httpLogin, postForm, sessionCookieOf } from "./support/admin-http.ts";
import { reachable, startAdmin } from "./support/admin-process.ts";
import { chromiumProblem, launch, newContext } from "./support/browser.ts";
import { asData, get, loginCookie, post, thrown } from "./support/requests.ts";
import {
  ADMIN_DIR,
  ADMIN_PASSWORD,
  ADMIN_TOKEN,
  adminBuildIsStale,
  ROOT,
  SESSION_SECRET,
  type Stack,
  startStack,
} from "./support/stack.ts";

vi.setConfig({ testTimeout: 60_000 });

let stack: Stack;
let admin = "";
const saved = { ...process.env };

/** The in-process admin's configuration: the same API and secrets as the running one. */
function configure(extra: Record<string, string> = {}): void {
  process.env = {
    ...saved,
    NODE_ENV: "test",
    API_URL: stack.apiUrl,
    ADMIN_TOKEN,
    ADMIN_PASSWORD,
    SESSION_SECRET,
    ...extra,
  };
  resetAdminEnv();
}

function login(fields: Record<string, string>, clientAddress: string) {
  return loginAction({ request: post("/login", fields), params: {}, context: { clientAddress } });
}

beforeAll(async () => {
  if (adminBuildIsStale()) {
    execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
  }
  stack = await startStack({ admin: true });
  admin = stack.adminUrl ?? "";
}, 180_000);

afterAll(async () => {
  process.env = { ...saved };
  resetAdminEnv();
  await stack?.stop();
});

beforeEach(() => configure());

describe("login throttle (finding 5)", () => {
  it("answers 429 with Retry-After once a client used up its attempts, and logs each refusal without the password", async () => {
    configure({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "3", LOGIN_WINDOW_SECONDS: "600" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) {
        expect(asData(await login({ password: `guess-${i}` }, "198.51.100.7")).status).toBe(401);
      }
      const refused = await login({ password: ADMIN_PASSWORD }, "198.51.100.7");
      expect(asData(refused).status).toBe(429);
      const headers = new Headers((refused as { init?: { headers?: HeadersInit } }).init?.headers);
      const retryAfter = Number(headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
      // Another client is not held up by this one.
      expect(await login({ password: ADMIN_PASSWORD }, "198.51.100.8")).toBeInstanceOf(Response);

      const lines = warn.mock.calls.map((call) => String(call[0]));
      expect(lines.filter((l) => l.includes('"reason":"wrong password"'))).toHaveLength(3);
      expect(lines.some((l) => l.includes('"reason":"too many attempts"') && l.includes("198.51.100.7"))).toBe(true);
      for (const line of lines) expect(line).not.toMatch(/guess-|correct horse/);
    } finally {
      warn.mockRestore();
    }
  });

  it("answers 429 to every client once all of them together used up the global attempts", async () => {
    configure({ LOGIN_MAX_ATTEMPTS_GLOBAL: "1" });
    await login({ password: "first" }, "203.0.113.1");
    const refused = await login({ password: ADMIN_PASSWORD }, "203.0.113.2");
    expect(asData(refused).status).toBe(429);
    expect(asData(refused).data).toEqual({
      error: expect.stringMatching(/^Too many login attempts\. Try again in \d+ s\.$/),
    });
  });
});

describe("server-side sessions (finding 6)", () => {
  it("gives every login its own cookie, carrying only a signed random id", async () => {
    const a = await httpLogin(admin, ADMIN_PASSWORD);
    const b = await httpLogin(admin, ADMIN_PASSWORD);
    expect(a).not.toBe(b);
    const [, value = ""] = a.split("=");
    const [payload = ""] = decodeURIComponent(value).split(".");
    const id = JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as unknown;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("revokes the session on logout: the cookie from before logout no longer works", async () => {
    const cookie = await httpLogin(admin, ADMIN_PASSWORD);
    expect((await getPage(admin, "/redis", cookie)).status).toBe(200);
    const out = await postForm(admin, "/logout", { intent: "logout" }, { cookie });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/login");
    const replayed = await getPage(admin, "/redis", cookie);
    expect(replayed.status).toBe(302);
    expect(replayed.headers.get("location")).toBe("/login?next=%2Fredis");
  });

  it("logs out everywhere: every session ends, on this process and on another", async () => {
    const mine = await httpLogin(admin, ADMIN_PASSWORD);
    const other = await httpLogin(admin, ADMIN_PASSWORD);
    const inProcess = await loginCookie(ADMIN_PASSWORD);
    await expect(requireAdmin(get("/", inProcess))).resolves.toBeDefined();

    const out = await postForm(admin, "/logout", { intent: "everywhere" }, { cookie: mine });
    expect(out.status).toBe(302);
    for (const cookie of [mine, other]) expect((await getPage(admin, "/redis", cookie)).status).toBe(302);
    // Another admin process sees it within its one-second cache.
    await waitFor(async () => (await thrown(() => requireAdmin(get("/", inProcess)))) instanceof Response, {
      timeoutMs: 5_000,
      message: "the other process to drop the session",
    });
    const fresh = await httpLogin(admin, ADMIN_PASSWORD);
    expect((await getPage(admin, "/redis", fresh)).status).toBe(200);
  });

  it("writes logins, refused logins and logouts to the audit log, never the password", async () => {
    configure({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "2", LOGIN_WINDOW_SECONDS: "600" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const before = (await stack.api.audit.list.query({ limit: 1 })).total;
      expect(asData(await login({ password: "not-it" }, "203.0.113.9")).status).toBe(401);
      expect(asData(await login({ password: "not-it-either" }, "203.0.113.9")).status).toBe(401);
      // Throttled from here on: recorded once, however often the client goes on trying.
      for (let i = 0; i < 5; i++) expect(asData(await login({ password: "x" }, "203.0.113.9")).status).toBe(429);
      const inProcessCookie = await loginCookie(ADMIN_PASSWORD);
      expect(inProcessCookie).toBeTruthy();
      const cookie = await httpLogin(admin, ADMIN_PASSWORD);
      await postForm(admin, "/logout", { intent: "logout" }, { cookie });
      const page = await stack.api.audit.list.query({ limit: 50 });
      const entries = page.entries.slice(0, page.total - before);
      const summary = entries.map((e) => `${e.action} ${e.ok ? "ok" : "refused"}`).reverse();
      expect(summary).toEqual([
        "login-refused refused",
        "login-refused refused",
        "login-refused refused",
        "login ok",
        "login ok",
        "logout ok",
      ]);
      const refusals = entries.filter((e) => e.action === "login-refused");
      expect(refusals.every((e) => e.target === "from 203.0.113.9" && e.actor === "unknown")).toBe(true);
      expect(refusals.map((e) => e.detail)).toContain("Too many login attempts (client); refused for 600 s.");
      const [logout, httpLoginEntry] = entries;
      expect(logout?.actor).toMatch(/^admin [A-Za-z0-9_-]{6}$/);
      // The same session logged in and out.
      expect(logout?.actor).toBe(httpLoginEntry?.actor);
      expect(JSON.stringify(entries)).not.toContain("not-it");
      expect(JSON.stringify(entries)).not.toContain(ADMIN_PASSWORD);
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses log out everywhere without a live session", async () => {
    const answer = await postForm(admin, "/logout", { intent: "everywhere" });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toMatch(/^\/login/);
  });

  it("enforces the expiry on the server, whatever the browser keeps", async () => {
    configure({ SESSION_MAX_AGE_SECONDS: "1" });
    const cookie = await loginCookie(ADMIN_PASSWORD);
    await expect(requireAdmin(get("/", cookie))).resolves.toBeDefined();
    await waitFor(
      async () => {
        const error = await requireAdmin(get("/", cookie)).then(
          () => null,
          (e: unknown) => e,
        );
        return error instanceof Response && error.headers.get("location") === "/login";
      },
      { timeoutMs: 6_000, message: "the session to expire" },
    );
  });
});

describe("redirects after login (finding 4)", () => {
  async function nextAfterLogin(next: string): Promise<Answer> {
    return postForm(admin, "/login", { password: ADMIN_PASSWORD, next });
  }

  it.each([
    ["a literal tab", "/\t/evil.example"],
    ["a literal newline", "/\n/evil.example"],
    ["a carriage return", "/\r\n/evil.example"],
    ["a backslash", "/\\evil.example"],
    ["two slashes", "//evil.example"],
    ["an absolute URL", "https://evil.example/"],
    ["a scheme without slashes", "http:evil.example"],
    ["no leading slash", "evil.example"],
  ])("sends %s to / instead", async (_, next) => {
    const answer = await nextAfterLogin(next);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/");
    expect(sessionCookieOf(answer)).not.toBe("");
  });

  it("accepts only paths on the admin's own origin, re-serialized", () => {
    const origin = "http://127.0.0.1:3000";
    expect(safeRedirect("/queues/email", origin)).toBe("/queues/email");
    expect(safeRedirect("/%09/evil.example", origin)).toBe("/%09/evil.example");
    expect(safeRedirect("/\u2028/evil.example", origin)).toBe("/%E2%80%A8/evil.example");
    for (const bad of ["/\u0000/x", "/\u001b[31m", "/\u0085/x", "\\\\evil.example", "", null, "/".padEnd(3_000, "a")]) {
      expect(safeRedirect(bad, origin)).toBe("/");
    }
  });

  it("keeps a local path with its query and fragment", async () => {
    const answer = await nextAfterLogin("/dead-letters?queue=email&error=a b#top");
    expect(answer.headers.get("location")).toBe("/dead-letters?queue=email&error=a%20b#top");
  });
});

/** A login posted to the in-process admin at `base`, with the given extra headers. */
async function loginAt(base: string, headers: Record<string, string> = {}): Promise<string> {
  const request = new Request(`${base}/login`, {
    method: "POST",
    body: new URLSearchParams({ password: ADMIN_PASSWORD }),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base, ...headers },
  });
  const response = await loginAction({ request, params: {}, context: { clientAddress: `secure-${base}` } });
  if (!(response instanceof Response)) throw new Error(`login refused: ${JSON.stringify(response)}`);
  return response.headers.get("set-cookie") ?? "";
}

describe("the Secure cookie and the listening address (finding 7)", () => {
  it("marks the cookie Secure from the request: https, or X-Forwarded-Proto only behind a trusted proxy", async () => {
    configure({ NODE_ENV: "production", SESSION_SECRET, ADMIN_TOKEN });
    // Production over plain HTTP on a LAN address: the login works (the cookie is not dropped).
    expect(await loginAt("http://192.168.1.20:3000")).not.toMatch(/;\s*Secure/i);
    expect(await loginAt("https://admin.example")).toMatch(/;\s*Secure/i);
    expect(await loginAt("http://admin.example", { "x-forwarded-proto": "https" })).not.toMatch(/;\s*Secure/i);
    configure({ NODE_ENV: "production", SESSION_SECRET, ADMIN_TOKEN, TRUST_PROXY: "1" });
    expect(await loginAt("http://admin.example", { "x-forwarded-proto": "https" })).toMatch(/;\s*Secure/i);
  });

  it("follows COOKIE_SECURE=true|false, and the login page says when a login cannot work", async () => {
    configure({ COOKIE_SECURE: "true" });
    expect(await loginAt("http://admin.example")).toMatch(/;\s*Secure/i);
    const blocked = await loginLoader({
      request: new Request("http://192.168.1.20:3000/login"),
      params: {},
      context: {},
    });
    expect(blocked.blocked).toContain("COOKIE_SECURE=true");
    const local = await loginLoader({ request: new Request("http://127.0.0.1:3000/login"), params: {}, context: {} });
    expect(local).toEqual({ blocked: null, plain: null });
    configure({ COOKIE_SECURE: "false" });
    expect(await loginAt("https://admin.example")).not.toMatch(/;\s*Secure/i);
    const plain = await loginLoader({
      request: new Request("http://192.168.1.20:3000/login"),
      params: {},
      context: {},
    });
    expect(plain).toEqual({ blocked: null, plain: expect.stringContaining("plain HTTP") });
  });

  it("listens on 127.0.0.1 when HOST is not set", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["server.mjs"], {
      cwd: ADMIN_DIR,
      env: {
        ...saved,
        NODE_ENV: "test",
        HOST: "",
        PORT: String(port),
        API_URL: stack.apiUrl,
        ADMIN_TOKEN,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      await waitFor(() => output.includes("admin listening"), { timeoutMs: 20_000, message: "the admin to listen" });
      expect(output).toContain(`"url":"http://127.0.0.1:${port}"`);
      const lan = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
      if (lan) expect(await reachable(lan, port)).toBe(false);
      expect(await reachable("127.0.0.1", port)).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("weak secrets in production (finding 9)", () => {
  const strong = { SESSION_SECRET: "s".repeat(32), ADMIN_PASSWORD: "p".repeat(12), ADMIN_TOKEN };

  it.each([
    ["SESSION_SECRET", { SESSION_SECRET: "" }, "SESSION_SECRET is not set"],
    ["SESSION_SECRET", { SESSION_SECRET: "x" }, "SESSION_SECRET is too short"],
    ["ADMIN_PASSWORD", { ADMIN_PASSWORD: "" }, "ADMIN_PASSWORD is not set"],
    ["ADMIN_PASSWORD", { ADMIN_PASSWORD: "admin" }, "ADMIN_PASSWORD is too short"],
    ["ADMIN_TOKEN", { ADMIN_TOKEN: "" }, "ADMIN_TOKEN is not set"],
    ["ADMIN_TOKEN", { ADMIN_TOKEN: "a" }, "ADMIN_TOKEN is too short"],
  ])("refuses to start without a strong %s, with one line naming it", async (_, weak, line) => {
    const { code, output } = await startAdmin(stack.apiUrl, { NODE_ENV: "production", ...strong, ...weak });
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([expect.stringContaining(line)]);
  });

  it("starts in production with strong secrets, and without NODE_ENV too (production is the default)", async () => {
    expect((await startAdmin(stack.apiUrl, { NODE_ENV: "production", ...strong })).output).toContain("admin listening");
    expect((await startAdmin(stack.apiUrl, { ...strong, SESSION_SECRET: "" })).code).toBe(1);
  });

  it("starts for development with the values `npm start` passes, printed password `admin` included", async () => {
    // Asked of the runner itself, in a fresh shell's environment: none of the variables it fills in.
    const script = `import("${join(ROOT, "scripts/start.mjs")}").then((m) => console.log(JSON.stringify(m.developmentDefaults())))`;
    const defaults = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { PATH: process.env.PATH ?? "" } as unknown as NodeJS.ProcessEnv,
        encoding: "utf8",
      }),
    ) as Record<string, string>;
    expect(defaults).toMatchObject({ NOTIFY_DEV: "1", ADMIN_PASSWORD: "admin" });
    const { output } = await startAdmin(stack.apiUrl, { ...defaults, API_URL: stack.apiUrl });
    expect(output).toContain("admin listening");
  });
});

describe("cross-site posts and security headers (finding 11)", () => {
  it("answers 403 to a cross-site post, with no stack trace in the log", async () => {
    const cookie = await httpLogin(admin, ADMIN_PASSWORD);
    const evil = await postForm(
      admin,
      "/queues/email",
      { intent: "pause" },
      { cookie, origin: "https://evil.example" },
    );
    expect(evil.status).toBe(403);
    const fetchSite = await postForm(
      admin,
      "/queues/email",
      { intent: "pause" },
      { cookie, origin: null, headers: { "sec-fetch-site": "cross-site" } },
    );
    expect(fetchSite.status).toBe(403);
    // A route without an action too: 403 before Remix, never its 405 with a stack.
    expect((await postForm(admin, "/", {}, { cookie, origin: "https://evil.example" })).status).toBe(403);
    expect(
      (await postForm(admin, "/login", { password: ADMIN_PASSWORD }, { origin: "http://evil.example" })).status,
    ).toBe(403);
    expect((await stack.api.queues.stats.query({ queue: "email" })).paused).toBe(false);
    expect(stack.logs("admin")).toContain("admin refused a cross-site request");
    expect(stack.logs("admin")).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("sends the security headers on every response", async () => {
    const login = await getPage(admin, "/login");
    const asset = /\/assets\/[^"]+\.js/.exec(login.text)?.[0] ?? "";
    expect(asset).not.toBe("");
    const answers = [
      login,
      await getPage(admin, "/healthcheck"),
      await getPage(admin, asset),
      await getPage(admin, "/no-such-page"),
      await getPage(admin, "/redis"),
      await postForm(admin, "/login", { password: "wrong" }),
    ];
    for (const answer of answers) {
      const csp = answer.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("referrer-policy")).toBe("same-origin");
    }
    // Every inline script of the page carries this response's nonce.
    const nonce = /'nonce-([^']+)'/.exec(login.headers.get("content-security-policy") ?? "")?.[1];
    const scripts = [...login.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) {
      if (!attributes.includes("src=")) expect(attributes).toContain(`nonce="${nonce}"`);
    }
  });

  const problem = chromiumProblem();
  it.skipIf(problem !== null)(
    "still runs the admin's own scripts and styles under the policy, in Chromium",
    async () => {
      const browser = await launch();
      try {
        const page = await (await newContext(browser)).newPage();
        const violations: string[] = [];
        page.on("console", (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        await page.goto(`${admin}/login`);
        await page.waitForFunction(() => "__remixRouter" in window);
        await page.getByLabel("Password").fill(ADMIN_PASSWORD);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL(`${admin}/`);
        await page.goto(`${admin}/templates?channel=email&template=welcome`);
        await page.locator("iframe").first().waitFor();
        const topbar = await page.evaluate(() => {
          const bar = document.querySelector(".topbar");
          return bar ? getComputedStyle(bar).display : null;
        });
        expect(topbar).toBe("flex");
        expect(violations).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});

describe("log out everywhere in the browser (finding 6)", () => {
  const problem = chromiumProblem();
  it.skipIf(problem !== null)("is a button in the top bar that ends this and every other session", async () => {
    const other = await httpLogin(admin, ADMIN_PASSWORD);
    const browser = await launch();
    try {
      const page = await (await newContext(browser)).newPage();
      await page.goto(`${admin}/workers`);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${admin}/workers`);
      await page.getByRole("button", { name: "Log out everywhere" }).click();
      await page.waitForURL(`${admin}/login`);
      await page.goto(`${admin}/workers`);
      expect(new URL(page.url()).pathname).toBe("/login");
      expect((await getPage(admin, "/workers", other)).status).toBe(302);
    } finally {
      await browser.close();
    }
  });
});
