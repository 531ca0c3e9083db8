// Real child processes for tests: started with their own environment, logs kept for failure
// messages, stopped with SIGTERM (then SIGKILL if they hang). Each runs in its own process group
// so a wrapper (sh, npm run) and everything it started stop together: no orphans.
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
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
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
      const group = child.pid;
      if (group === undefined || !signalGroup(group, "SIGTERM")) return;
      const deadline = Date.now() + 10_000;
      while (signalGroup(group, 0)) {
        if (Date.now() > deadline) {
          signalGroup(group, "SIGKILL");
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** False once no process of the group is left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

/** Fails fast with the process's own output when it exits instead of becoming ready. */
export function exitedEarly(proc: Proc): Promise<never> {
  return new Promise((_, reject) => {
    proc.child.once("exit", (code, signal) =>
      reject(new Error(`${proc.name} exited (${code ?? signal}) before it was ready:\n${proc.logs()}`)),
    );
  });
}
