// A throw-away application outside the repository that installs the packed @notify packages the
// way another team's repository would: from tarballs, with everything else from the npm registry.
import { type SpawnOptions, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface RunResult {
  code: number | null;
  output: string;
}

/** A command with a deadline; stdout and stderr together, for the assertion's message. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs: number },
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") output += `\n(killed after ${options.timeoutMs} ms)`;
      done({ code, output });
    });
  });
}

/**
 * The environment less what `npm test` says about the monorepo (its package, script, prefix,
 * workspace), so a nested npm works on its own folder; the registry and cache settings stay.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const aboutTheRepo = /^npm_(package_|lifecycle_|command$|config_(local_prefix|workspaces?|include_workspace_root)$)/i;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !aboutTheRepo.test(name)));
}

function versionInRepo(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string })
    .version;
}

export interface PackedPackage {
  name: string;
  tarball: string;
  files: string[];
  /** package.json as it is inside the tarball. */
  manifest: Record<string, unknown>;
}

/**
 * Deadlines that catch a hung command, not a slow one: building the client's types compiles the
 * whole API, which took 73 s on a loaded 2-core machine (under 20 s on a quiet one).
 */
const HUNG_MS = 300_000;

/** `npm pack -w <name>`, as a user would run it from the repository root (prepack builds dist/). */
export async function pack(name: string, destination: string): Promise<PackedPackage> {
  const result = await run("npm", ["pack", "-w", name, "--json", "--pack-destination", destination], {
    cwd: ROOT,
    env: cleanEnv(),
    timeoutMs: HUNG_MS,
  });
  if (result.code !== 0) {
    // A pack killed between prepack and postpack leaves the manifest pointing at dist/: put the
    // workspace's back, so nothing after this test resolves a half-built package.
    await run(process.execPath, [join(ROOT, "scripts/pack-manifest.mjs"), "postpack"], {
      cwd: join(ROOT, "packages", name.replace(/^@notify\//, "")),
      timeoutMs: 10_000,
    });
    throw new Error(`npm pack -w ${name} failed (exit ${result.code}):\n${result.output}`);
  }
  const report = JSON.parse(result.output.slice(result.output.indexOf("[\n"))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const [entry] = report;
  if (!entry) throw new Error(`npm pack -w ${name} reported no tarball:\n${result.output}`);
  const tarball = join(destination, entry.filename);
  const extracted = await run("tar", ["-xOzf", tarball, "package/package.json"], { timeoutMs: 10_000 });
  return { name, tarball, files: entry.files.map((f) => f.path).sort(), manifest: JSON.parse(extracted.output) };
}

export interface ConsumerApp {
  dir: string;
  /** Writes a file into the app. */
  write(path: string, text: string): void;
  tsc(config: string): Promise<RunResult>;
  node(script: string, args: string[]): Promise<RunResult>;
  remove(): void;
}

/**
 * A temp directory (no node_modules above it, no repository around it) with the tarballs, and
 * TypeScript and Node's types at the repository's versions, installed by npm. The npm cache is
 * preferred, so a machine that installed the repository needs the registry only for what it lacks.
 */
export async function installConsumerApp(tarballs: string[]): Promise<ConsumerApp> {
  const dir = mkdtempSync(join(tmpdir(), "notify-consumer-"));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write("package.json", `${JSON.stringify({ name: "notify-consumer", private: true, type: "module" }, null, 2)}\n`);
  const install = await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...tarballs,
      `typescript@${versionInRepo("typescript")}`,
      `@types/node@${versionInRepo("@types/node")}`,
    ],
    { cwd: dir, env: cleanEnv(), timeoutMs: HUNG_MS },
  );
  if (install.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `npm install of the packed tarballs into a throw-away app failed (exit ${install.code}); ` +
        `the app needs the npm registry (or a warm npm cache) for @trpc/*, ioredis, zod and typescript. npm said:\n${install.output}`,
    );
  }
  const tscBin = join(dir, "node_modules", "typescript", "bin", "tsc");
  return {
    dir,
    write,
    tsc: (config) => run(process.execPath, [tscBin, "-p", config], { cwd: dir, env: cleanEnv(), timeoutMs: HUNG_MS }),
    node: (script, args) =>
      run(process.execPath, [script, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 20_000 }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
