// Runs the real CLI the way `npm run queue` does (bun on src/cli/main.ts) and captures its output.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BUN = `${ROOT}node_modules/.bin/bun`;
const MAIN = `${ROOT}packages/queue/src/cli/main.ts`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      BUN,
      [MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a --json command that must succeed and returns its parsed output. */
export async function cliJson<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<T> {
  const result = await runCli([...args, "--json"], env);
  if (result.code !== 0) throw new Error(`queue ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
