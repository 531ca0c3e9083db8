// Real worker processes under Bun, as production runs them, with their JSON log lines collected.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { waitFor } from "@notify/testing";

export const BUN = resolve(import.meta.dirname, "../../../node_modules/.bin/bun");
const SRC = resolve(import.meta.dirname, "../src");

export type WorkerKind = "email" | "sms" | "events" | "analytics";

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * `bunArgs` go before the script, e.g. ["--cpu-prof-md"] to profile a worker. `keepLogs: false`
 * (benchmarks) stops parsing and keeping its log once it has started, keeping only the last few
 * KB for an error message: the worker logs a line per job, and the benchmark process parsing them
 * took CPU from the worker it measures on the same cores.
 */
export function spawnWorker(
  kind: WorkerKind,
  env: Record<string, string>,
  bunArgs: string[] = [],
  { keepLogs = true }: { keepLogs?: boolean } = {},
): WorkerProcess {
  const child = spawn(BUN, [...bunArgs, `${SRC}/${kind}-worker.ts`], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let text = "";
  let partial = "";
  let started = false;
  child.stdout?.on("data", (chunk: Buffer) => {
    if (started && !keepLogs) {
      text = (text + chunk.toString()).slice(-4_000);
      return;
    }
    text += chunk.toString();
    partial += chunk.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === "worker started") started = true;
      } catch {
        // Console-provider output is plain text.
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("exit", (code, signal) => done({ code, signal }));
  });
  return { child, lines, exited, output: () => text };
}

export async function waitStarted(worker: WorkerProcess, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => worker.lines.some((l) => l.msg === "worker started") || worker.child.exitCode !== null, {
    timeoutMs,
    message: "worker start",
  });
  if (worker.child.exitCode !== null) throw new Error(`worker exited early:\n${worker.output()}`);
}

/** SIGKILL whatever is still running; for afterAll hooks. */
export function killAll(workers: WorkerProcess[]): void {
  for (const worker of workers)
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
}
