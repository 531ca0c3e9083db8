// Issue 10, findings 1, 2 and 11 (masking): job data from any holder of a service key is hostile.
// A 60,000-character string froze the admin for 12 s through a quadratic masking regex, 5 MB
// stopped it; 3,000 levels of nesting overflowed the stack of the job and completed pages. Here
// the running admin (built, under its Procfile line) is fed such jobs straight through Redis.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jsonPreview } from "../app/lib/json-text.ts";
import { maskText } from "../app/lib/masking.ts";
import { type Answer, getPage, httpLogin, timedFetch } from "./support/admin-http.ts";
import { chromiumProblem, launch, newContext } from "./support/browser.ts";
import { nestedJson, rawJob, seed } from "./support/seed.ts";
import { ADMIN_DIR, ADMIN_PASSWORD, adminBuildIsStale, ROOT, type Stack, startStack } from "./support/stack.ts";

vi.setConfig({ testTimeout: 90_000 });

/**
 * A freeze detector, not a speed target: the quadratic masking took 12 s for 60,000 characters and
 * would take hours for the 5 MB payloads here; a linear page answers in well under a second on a
 * quiet machine. The margin is for a loaded CI machine.
 */
const FAST_MS = 8_000;
/** A page carries a bounded preview, never the payload: 5 MB of data must not make 5 MB of HTML. */
const MAX_PAGE_BYTES = 400_000;

function hostileStrings(length: number): string[] {
  return [
    "a".repeat(length),
    "a.".repeat(length / 2),
    `${"a".repeat(length - 1)}@`,
    "a@".repeat(length / 2),
    "1 ".repeat(length / 2),
    "9".repeat(length),
  ];
}

describe("masking is linear", () => {
  it("masks 60,000-character strings without the quadratic blow-up", () => {
    for (const text of hostileStrings(60_000)) {
      const started = performance.now();
      maskText(text);
      expect(performance.now() - started, text.slice(0, 8)).toBeLessThan(2_000);
    }
  });

  it("masks 5,000,000-character strings in bounded time each", () => {
    for (const text of hostileStrings(5_000_000)) {
      const started = performance.now();
      maskText(text);
      expect(performance.now() - started, text.slice(0, 8)).toBeLessThan(FAST_MS);
    }
  });

  it("still masks what it masked before", () => {
    expect(maskText("mail ann.smith@example.com or bob@x.org")).toBe("mail a******@example.com or b**@x.org");
    expect(maskText("+91 98765 43210, 415-555-0123")).toBe("+91********10, 415*****23");
    expect(maskText("otp 482913 for 1499.00")).toBe("otp 482913 for 1499.00");
  });
});

describe("previews of nested data", () => {
  it("are built without recursion at 300,000 levels and cut below a depth", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 300_000; i++) deep = [deep];
    const preview = jsonPreview({ data: deep }, { mask: true });
    expect(preview.text).toContain("nested deeper than 32 levels, truncated");
    expect(preview.text.length).toBeLessThan(20_000);
    expect(preview.bytes).toBe(JSON.stringify({ data: [] }).length - 2 + 600_000 + '"bottom"'.length);
  });
});

const problem = chromiumProblem();
if (problem) console.warn(`SKIPPING the Reveal case in a browser: ${problem}`);

describe("the running admin with hostile jobs", () => {
  let stack: Stack;
  let admin = "";
  let cookie = "";
  const ids = {
    long60k: "long-60k",
    long5m: "long-5m",
    deep3k: "deep-3k",
    deep300k: "deep-300k",
    secrets: "with-secrets",
  };

  beforeAll(async () => {
    if (adminBuildIsStale()) {
      execFileSync(join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ADMIN_DIR, stdio: "pipe" });
    }
    // Search reads every stored job, 5 MB ones included: under a loaded CI machine that can pass
    // the API's 2 s Redis bound, which answers 503 by design. This test is about the admin's own
    // rendering, so the API gets room.
    stack = await startStack({ admin: true, apiEnv: { API_REDIS_TIMEOUT_MS: "15000" } });
    admin = stack.adminUrl ?? "";
    const deep3k = rawJob(ids.deep3k, nestedJson(3_000));
    const deep300k = rawJob(ids.deep300k, nestedJson(300_000));
    await seed(stack.redis.url, "email", {
      pending: [
        rawJob(ids.long60k, JSON.stringify({ blob: "a".repeat(60_000) })),
        rawJob(ids.long5m, JSON.stringify({ blob: `${"a".repeat(5_000_000)}@` })),
        deep3k,
        rawJob(
          ids.secrets,
          JSON.stringify({ otp: "482913", otpCode: "771204", phone: "+919876543210", contact: "ann.lee@example.com" }),
        ),
      ],
      completed: [deep3k],
      dead: [{ id: ids.deep3k, raw: deep3k }],
    });
    // A queue of its own, so the pages of the email queue stay about the big payloads.
    await seed(stack.redis.url, "sms", {
      pending: [deep300k],
      completed: [deep300k],
      dead: [{ id: ids.deep300k, raw: deep300k }],
    });
    cookie = await httpLogin(admin, ADMIN_PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  function expectFastAndBounded(answer: Answer, what: string): void {
    const banner = /<div class="banner[^>]*>(.{0,300})/.exec(answer.text)?.[1] ?? "";
    expect(answer.status, `${what}: ${banner}`).toBe(200);
    expect(answer.ms, what).toBeLessThan(FAST_MS);
    expect(answer.text.length, what).toBeLessThan(MAX_PAGE_BYTES);
  }

  it("lists 60,000- and 5,000,000-character jobs fast on the queue page", async () => {
    const page = await getPage(admin, "/queues/email?state=pending", cookie);
    expectFastAndBounded(page, "pending page");
    expect(page.text).toContain(ids.long5m);
  });

  it("shows the first 16 KB of a 5 MB job with its size, and serves the whole job as a download", async () => {
    const page = await getPage(admin, `/jobs/email/${ids.long5m}`, cookie);
    expectFastAndBounded(page, "job page");
    expect(page.text).toMatch(/Showing the first 16(\.0)? KB of 4\.8 MB/);
    expect(page.text).toContain(`/jobs/email/${ids.long5m}/download`);

    const download = await timedFetch(`${admin}/jobs/email/${ids.long5m}/download`, { headers: { cookie } });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="email-long-5m\.json"$/);
    expect(download.headers.get("content-type")).toMatch(/^application\/json/);
    const job = JSON.parse(download.text) as { id: string; to: string; data: { blob: string } };
    expect(job.id).toBe(ids.long5m);
    expect(job.data.blob).toHaveLength(5_000_001);
    expect(job.to).toBe("a******@example.com");

    const refused = await timedFetch(`${admin}/jobs/email/${ids.long5m}/download`);
    expect(refused.status).toBe(302);
  });

  it("keeps /healthcheck answering while big pages render", async () => {
    const pages = Array.from({ length: 4 }, (_, i) =>
      getPage(admin, i % 2 ? `/jobs/email/${ids.long5m}` : `/search?q=${ids.long5m}`, cookie),
    );
    let done = false;
    const all = Promise.all(pages).finally(() => {
      done = true;
    });
    let slowest = 0;
    let checks = 0;
    while (!done || checks === 0) {
      const health = await timedFetch(`${admin}/healthcheck`);
      expect(health.status).toBe(200);
      slowest = Math.max(slowest, health.ms);
      checks++;
    }
    for (const page of await all) expect(page.status).toBe(200);
    // Blocked for 11.7 s behind one 60,000-character page before the fix.
    expect(slowest).toBeLessThan(5_000);
  });

  it("renders 3,000 levels of nesting on the job, completed, dead-letter and search pages", async () => {
    const job = await getPage(admin, `/jobs/email/${ids.deep3k}`, cookie);
    expectFastAndBounded(job, "job page");
    expect(job.text).toContain("nested deeper than 32 levels, truncated");
    for (const path of [`/search?q=${ids.deep3k}`, "/queues/email?state=completed", "/dead-letters?queue=email"]) {
      const page = await getPage(admin, path, cookie);
      expectFastAndBounded(page, path);
      expect(page.text, path).toContain(`/jobs/email/${ids.deep3k}`);
    }
    const download = await timedFetch(`${admin}/jobs/email/${ids.deep3k}/download?reveal=1`, { headers: { cookie } });
    expect(download.status).toBe(200);
    expect(download.text).toBe(rawJob(ids.deep3k, nestedJson(3_000)));
  });

  it("answers fast at 300,000 levels on every page, never with a stack overflow of its own", async () => {
    for (const path of [
      `/jobs/sms/${ids.deep300k}`,
      `/search?q=${ids.deep300k}`,
      "/queues/sms?state=pending",
      "/queues/sms?state=completed",
      "/dead-letters?queue=sms",
    ]) {
      const page = await getPage(admin, path, cookie);
      expect(page.ms, path).toBeLessThan(FAST_MS);
      expect(page.text.length, path).toBeLessThan(MAX_PAGE_BYTES);
      // The API bounds such a job on its side (a preview), so every page shows it: no error banner.
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain("Something went wrong.");
    }
  });

  it.skipIf(problem !== null)("hides OTP codes and masks numbers and addresses in job data until Reveal", async () => {
    const html = await getPage(admin, `/jobs/email/${ids.secrets}`, cookie);
    for (const secret of ["482913", "771204", "9876543210", "ann.lee@"]) expect(html.text).not.toContain(secret);

    let browser: Browser | undefined;
    try {
      browser = await launch();
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${admin}/jobs/email/${ids.secrets}`);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${admin}/jobs/email/${ids.secrets}`);
      const payload = page.getByTestId("payload");
      const masked = (await payload.textContent()) ?? "";
      expect(masked).toContain('"otp": "•••••• (hidden until Reveal)"');
      expect(masked).toContain('"otpCode": "•••••• (hidden until Reveal)"');
      expect(masked).toContain('"phone": "+91********10"');
      expect(masked).toContain('"contact": "a******@example.com"');
      await page.getByRole("link", { name: "Reveal" }).click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="payload"]')?.textContent?.includes("482913"),
      );
      const shown = (await payload.textContent()) ?? "";
      expect(shown).toContain('"otpCode": "771204"');
      expect(shown).toContain("ann.lee@example.com");
    } finally {
      await browser?.close();
    }
  });
  it("stops on SIGTERM within seconds while big pages render", async () => {
    const pages = Array.from({ length: 4 }, () =>
      getPage(admin, `/jobs/email/${ids.long5m}`, cookie).catch(() => null),
    );
    const started = performance.now();
    await stack.kill("admin");
    // The stack sends SIGTERM and only SIGKILLs after 10 s: a clean stop is well below that.
    expect(performance.now() - started).toBeLessThan(8_000);
    await Promise.all(pages);
  });
});
