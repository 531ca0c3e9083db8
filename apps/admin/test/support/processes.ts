// Real child processes for tests: started with their own environment, logs kept for failure
// messages, stopped with SIGTERM (then SIGKILL if they hang).
import { type ChildProcess, spawn } from "node:child_process";

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Proc {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    name,
    child,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
    },
  };
}

/** Fails fast with the process's own output when it exits instead of becoming ready. */
export function exitedEarly(proc: Proc): Promise<never> {
  return new Promise((_, reject) => {
    proc.child.once("exit", (code, signal) =>
      reject(new Error(`${proc.name} exited (${code ?? signal}) before it was ready:\n${proc.logs()}`)),
    );
  });
}
