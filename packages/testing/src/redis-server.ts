// Throw-away redis-server processes for tests: a free port, a temporary directory, optional AOF,
// and the ways a test needs to hurt them (restart, kill -9).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureRedisBinaries } from "./redis-binary.mjs";

export interface RedisServerOptions {
  /** Keep an append-only file so a restart keeps the data (as production should). */
  appendOnly?: boolean;
  /** Extra `--name value` arguments. */
  args?: string[];
  port?: number;
}

export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Graceful SHUTDOWN (flushes AOF), then start again on the same port and directory. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server without removing its data. */
  stopProcess(signal?: NodeJS.Signals): Promise<void>;
  startProcess(): Promise<void>;
  /** Sends a signal without waiting for an exit: SIGSTOP freezes the server, SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the process prints `readyText` (redis-server: "Ready to accept connections"). */
export async function waitForOutput(
  child: ChildProcess,
  port: number,
  readyText = "Ready to accept connections",
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on ${port} exited with ${code}:\n${output}`));
    });
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const { server: binary } = ensureRedisBinaries() as { server: string };
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "notify-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendOnly ? "yes" : "no",
    "--loglevel",
    "notice",
    ...(options.args ?? []),
  ];
  let child: ChildProcess | null = null;

  const startProcess = async () => {
    const started = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
    child = started;
    await waitForOutput(started, port);
  };
  const stopProcess = async (signal: NodeJS.Signals = "SIGTERM") => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    child = null;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill(signal);
    });
  };

  await startProcess();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    startProcess,
    stopProcess,
    signal(signal) {
      (child as ChildProcess | null)?.kill(signal);
    },
    async restart({ downMs = 0 } = {}) {
      await stopProcess("SIGTERM");
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await startProcess();
    },
    async stop() {
      await stopProcess("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
