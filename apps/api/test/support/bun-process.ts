// The real Bun entry (src/server.ts) as a child process, for the suite that must not stop at Node.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freePort } from "@notify/testing";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BUN = `${ROOT}node_modules/.bin/bun`;
const ENTRY = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

export interface BunApi {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and the exit code (null when it had to be killed). */
  stop(): Promise<number | null>;
}

export async function startBunApi(env: Record<string, string>): Promise<BunApi> {
  const port = await freePort();
  const child = spawn(BUN, [ENTRY], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bun api did not start:\n${output}`)), 20_000);
    const onData = () => {
      if (output.includes('"api listening"')) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bun api exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}
