// A Bun entry point (the API's src/server.ts) as a child process on a free port, for tests that
// must see what only the real process shows: Bun's own HTTP server, its environment handling, its
// signals. Resolves once the process prints its listening line; a process that exits first or
// never listens is killed and its output is the error.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freePort } from "./redis-server.ts";

const BUN = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

export interface BunServer {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, SIGKILL after a grace period; the exit code (null when it had to be killed). */
  stop(): Promise<number | null>;
}

export interface BunServerOptions {
  /** Absolute path of the entry point. */
  entry: string;
  /** The whole environment besides PATH, HOME, PORT and HOST: nothing else leaks in from the test. */
  env: Record<string, string>;
  /** Printed once it listens. */
  listening: string;
  cwd?: string;
}

export async function startBunServer(options: BunServerOptions): Promise<BunServer> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    ...options.env,
    PORT: String(port),
    HOST: "127.0.0.1",
  };
  const child: ChildProcess = spawn(BUN, [options.entry], {
    cwd: options.cwd ?? process.cwd(),
    // Only what is given: the test's own environment (NODE_ENV=test, secrets) must not leak in.
    env: env as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listening = new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${options.entry} did not listen within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(options.listening)) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${options.entry} exited with ${code} before listening:\n${output}`));
    });
  });
  try {
    await listening;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}
