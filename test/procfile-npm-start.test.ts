// `npm start` runs the Procfile: SIGTERM to npm must stop every process gracefully and leave no
// orphan behind (node-foreman's nf, for one, does not).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type RedisServerHandle, startRedisServer, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, descendants } from "./support/process-tree.ts";

const ROOT = resolve(import.meta.dirname, "..");
let server: RedisServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), "notify-procfile-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("forwards SIGTERM to every Procfile process, waits for them and leaves no orphan", async () => {
    const procfile = join(dir, "Procfile");
    // The real Procfile's worker lines; api/admin belong to other apps and are left out here.
    const lines = execFileSync("grep", ["-E", "^(email|sms|events):", join(ROOT, "Procfile")], { encoding: "utf8" });
    writeFileSync(procfile, lines);
    const npm = spawn("npm", ["start", "--", "--procfile", procfile, "email=2", "sms", "events"], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: server.url, SHUTDOWN_GRACE_MS: "5000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    npm.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => npm.once("exit", (code) => done(code)));
    await waitFor(() => (output.match(/"worker started"/g) ?? []).length === 4, {
      timeoutMs: 45_000,
      message: "four workers",
    });
    const tree = descendants(npm.pid ?? 0);
    expect(tree.length).toBeGreaterThanOrEqual(5);

    npm.kill("SIGTERM");
    await exited;
    await waitFor(() => tree.every((pid) => !alive(pid)), {
      timeoutMs: 30_000,
      message: `no orphans among ${tree.join(",")}`,
    });
    expect((output.match(/exited with code 0/g) ?? []).length).toBe(4);
    expect((output.match(/"msg":"stopped"/g) ?? []).length).toBe(4);
  });
});
