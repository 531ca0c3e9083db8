#!/usr/bin/env node
// `npm run build:packages [queue|client ...]`: builds the packages installed outside the monorepo
// into their dist/ (JavaScript and .d.ts). Nothing inside the repository reads dist/: workspaces
// resolve to the TypeScript sources, so typecheck, lint and the tests need no build. `npm pack`
// runs this itself (see pack-manifest.mjs).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { bundleClientTypes } from "./client-types.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function tsc(args) {
  const result = spawnSync(process.execPath, [TSC, ...args], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tsc ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

/** @notify/queue: one .js and .d.ts per source file, and the Lua scripts it loads next to them. */
function buildQueue() {
  const dir = join(ROOT, "packages", "queue");
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  tsc(["-p", join(dir, "tsconfig.build.json")]);
  // scripts.js reads ./lua/<name>.lua relative to itself, as scripts.ts does in src/.
  cpSync(join(dir, "src", "lua"), join(dir, "dist", "lua"), { recursive: true });
}

/**
 * @notify/client: one small module, and one .d.ts that carries the API's router type inline, so a
 * consumer needs neither the server's source nor its dependencies.
 */
async function buildClient() {
  const dir = join(ROOT, "packages", "client");
  const dist = join(dir, "dist");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  // The entry's only link to the API is `import type`, which transpiling erases.
  const source = readFileSync(join(dir, "src", "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: "index.ts",
  });
  writeFileSync(join(dist, "index.js"), outputText);

  const declarations = mkdtempSync(join(tmpdir(), "notify-client-dts-"));
  try {
    tsc(["-p", join(dir, "tsconfig.build.json"), "--declarationDir", declarations]);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    await bundleClientTypes({ declarations, out: join(dist, "index.d.ts"), manifest });
  } finally {
    rmSync(declarations, { recursive: true, force: true });
  }
}

const BUILDERS = { queue: buildQueue, client: buildClient };

export async function buildPackages(names = Object.keys(BUILDERS)) {
  for (const name of names) {
    const build = BUILDERS[name];
    if (!build) throw new Error(`unknown package "${name}" (one of: ${Object.keys(BUILDERS).join(", ")})`);
    const started = Date.now();
    await build();
    console.log(`built @notify/${name} into packages/${name}/dist (${Date.now() - started} ms)`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildPackages(process.argv.length > 2 ? process.argv.slice(2) : undefined);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
