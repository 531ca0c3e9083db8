#!/usr/bin/env node
// The prepack and postpack scripts of the packages installed outside the monorepo. In the
// repository their package.json points at src/*.ts, so workspaces, tsc, vitest, Bun and the
// admin's build read the sources with no build step. npm pack (and publish) puts package.json in
// the tarball as it is on disk and, unlike pnpm or yarn, applies no publishConfig overrides; so
// prepack builds dist/ and points the manifest's entries at dist/ for the moment of packing, and
// postpack puts the workspace's own back. npm runs both in the package's folder.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPackages } from "./build-packages.mjs";

const MANIFEST = join(process.cwd(), "package.json");
/** The workspace's package.json while a pack runs (git-ignored, never in a tarball: see "files"). */
const SAVED = join(process.cwd(), "package.workspace.json");

/** "./src/notifications/index.ts" becomes "./dist/notifications/index" (+ .js or .d.ts). */
function distPath(sourcePath) {
  const match = /^\.\/src\/(.+)\.ts$/.exec(sourcePath);
  if (!match) throw new Error(`expected an entry under ./src ending in .ts, found "${sourcePath}"`);
  return `./dist/${match[1]}`;
}

/**
 * Only the entries change: the rest (dependencies and devDependencies included) stays as it is, so
 * whatever reads the workspace's package.json while a pack runs (a test beside it) sees the same.
 */
export function publishedManifest(manifest) {
  const exports = {};
  for (const [subpath, source] of Object.entries(manifest.exports ?? {})) {
    const target = distPath(source);
    exports[subpath] = { types: `${target}.d.ts`, default: `${target}.js` };
  }
  return {
    ...manifest,
    main: `${distPath(manifest.main)}.js`,
    types: `${distPath(manifest.types)}.d.ts`,
    exports,
  };
}

/** A pack that was interrupted left the published manifest in place: put the saved one back. */
function recoverInterrupted() {
  if (!existsSync(SAVED)) return;
  const current = JSON.parse(readFileSync(MANIFEST, "utf8"));
  // Only a manifest still pointing at dist/ is the interrupted pack's; one pointing at src/ was
  // restored or edited since, and the saved copy is stale: keeping it would undo those edits.
  if (String(current.main).startsWith("./dist/")) renameSync(SAVED, MANIFEST);
  else unlinkSync(SAVED);
}

async function prepack() {
  recoverInterrupted();
  const text = readFileSync(MANIFEST, "utf8");
  const manifest = JSON.parse(text);
  await buildPackages([manifest.name.replace(/^@notify\//, "")]);
  writeFileSync(SAVED, text);
  writeFileSync(MANIFEST, `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
}

function postpack() {
  if (existsSync(SAVED)) renameSync(SAVED, MANIFEST);
}

const mode = process.argv[2];
try {
  if (mode === "prepack") await prepack();
  else if (mode === "postpack") postpack();
  else throw new Error(`usage: pack-manifest.mjs prepack|postpack (got "${mode ?? ""}")`);
} catch (error) {
  postpack();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
