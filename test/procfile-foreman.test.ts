// The whole Procfile under node-foreman (`nf start` with a .env), which, like honcho, overmind and
// platform runners, does not put node_modules/.bin on PATH (a bare `bun` line fails there with
// "bun: not found") and runs each line with `sh -c` from the Procfile's folder. Every process must
// come up, the admin talking to the API, and SIGINT (nf's stop signal) must stop them all.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { freePort, type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, descendants } from "./support/process-tree.ts";

const ROOT = resolve(import.meta.dirname, "..");
const NF = join(ROOT, "node_modules/.bin/nf");
let server: RedisServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), "notify-foreman-"));
  // The admin line serves the production build, as under npm start (which builds it when missing).
  if (!existsSync(join(ROOT, "apps/admin/build/server/index.js")))
    execFileSync("npm", ["run", "build", "--workspace", "@notify/admin", "--silent"], { cwd: ROOT, stdio: "pipe" });
}, 240_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** PATH as a shell outside npm has it: without any node_modules/.bin (vitest runs under npx). */
const plainPath = () =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => !entry.includes("node_modules"))
    .join(delimiter);

describe("the Procfile under node-foreman", () => {
  it("starts the API, the admin and every worker from their Procfile lines and stops them on SIGINT", async () => {
    // nf gives the n-th Procfile entry PORT = base + 100 n: the API gets base, the admin base + 100.
    const port = await freePort();
    const env = join(dir, ".env");
    writeFileSync(
      env,
      [
        `REDIS_URL=${server.url}`,
        // A local run: without NODE_ENV (or npm start's NOTIFY_DEV) the API is in production.
        "NODE_ENV=development",
        "API_KEYS=foreman-service-key",
        "ADMIN_TOKEN=foreman-admin-token",
        "HEALTH_REQUIRE_WORKERS=false",
        `API_URL=http://127.0.0.1:${port}`,
        "ADMIN_PASSWORD=foreman-admin-password",
        "SESSION_SECRET=foreman-session-secret-0123456789abcdef",
        "LOG_LEVEL=info",
        `OUTBOX_DIR=${join(dir, "outbox")}`,
      ].join("\n"),
    );
    const nf = spawn(
      NF,
      ["start", "-j", join(ROOT, "Procfile"), "-e", env, "-p", String(port), "api,admin,email,sms,events"],
      {
        cwd: ROOT,
        env: { PATH: plainPath(), HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    nf.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    nf.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => nf.once("exit", (code) => done(code)));
    try {
      await waitFor(() => (output.match(/"worker started"/g) ?? []).length === 3 || nf.exitCode !== null, {
        timeoutMs: 45_000,
        message: "three workers started",
      });
      expect(output).not.toContain("not found");
      expect((output.match(/"worker started"/g) ?? []).length).toBe(3);
      await waitFor(
        async () => {
          const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
          return health?.status === 200;
        },
        { timeoutMs: 20_000, message: "the API's /health" },
      );
      await waitFor(() => output.includes('"admin listening"') || nf.exitCode !== null, {
        timeoutMs: 30_000,
        message: "the admin listening",
      });
      const adminUrl = /"admin listening","url":"([^"]+)"/.exec(output)?.[1];
      expect(adminUrl).toBe(`http://127.0.0.1:${port + 100}`);
      // The healthcheck route asks the API, so this is the admin and the API working together.
      expect(await (await fetch(`${adminUrl}/healthcheck`)).json()).toEqual({ status: "ok", api: "ok" });
      const tree = descendants(nf.pid ?? 0);
      expect(tree.length).toBeGreaterThanOrEqual(5);

      nf.kill("SIGINT");
      await exited;
      await waitFor(() => tree.every((pid) => !alive(pid)), {
        timeoutMs: 30_000,
        message: `no orphans among ${tree.join(",")}`,
      });
      expect((output.match(/"msg":"stopped"/g) ?? []).length).toBe(3);
      expect(output).toContain('"api stopping"');
      expect(output).toContain('"admin stopping"');
    } finally {
      if (nf.exitCode === null) nf.kill("SIGKILL");
      for (const pid of descendants(nf.pid ?? 0)) process.kill(pid, "SIGKILL");
    }
  });
});
