// The admin's server (server.mjs) as a process of its own, for what only a real start shows:
// the refusal of weak secrets, the listening address.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { ADMIN_DIR } from "./stack.ts";

/** Runs the admin's server with `env` (and nothing else) until it exits or listens; its exit code and output. */
export function startAdmin(
  apiUrl: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["server.mjs"], {
      cwd: ADMIN_DIR,
      env: {
        PATH: process.env.PATH ?? "",
        HOST: "127.0.0.1",
        PORT: "0",
        API_URL: apiUrl,
        ...env,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("admin listening")) child.kill("SIGTERM");
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** Whether a TCP connection to host:port is accepted. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
