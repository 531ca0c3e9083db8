/// <reference path="./mjml.d.ts" />
// MJML -> HTML for every template, cached on disk by a hash of the sources: loading and running
// MJML costs about two seconds of CPU, which a restarted worker should not pay again (the chaos
// run restarts workers every half second). The cache holds only our own template HTML.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const MJML_OPTIONS = { validationLevel: "strict", minify: true, minifyOptions: { minifyCSS: false } } as const;
const CACHE_DIR = resolve(import.meta.dirname, "../../../../node_modules/.cache/notify-email-templates");

function readCache(file: string): Record<string, string> | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return null;
  }
}

function writeCache(file: string, value: Record<string, string>): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, file);
  } catch {
    // A read-only tree only costs the compile on the next start.
  }
}

/** Compiles each MJML document to HTML; `mjmlByName` values are whole <mjml> documents. */
export async function compileMjml(
  mjmlByName: Record<string, string>,
  cacheDir = CACHE_DIR,
): Promise<Record<string, string>> {
  const { version } = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("mjml/package.json"), "utf8")) as {
    version: string;
  };
  const hash = createHash("sha256")
    .update(JSON.stringify([version, MJML_OPTIONS, mjmlByName]))
    .digest("hex")
    .slice(0, 32);
  const file = join(cacheDir, `${hash}.json`);
  const cached = readCache(file);
  if (cached && Object.keys(mjmlByName).every((name) => typeof cached[name] === "string")) return cached;

  const { default: mjml2html } = await import("mjml");
  const compiled: Record<string, string> = {};
  for (const [name, source] of Object.entries(mjmlByName)) {
    const { html, errors } = await mjml2html(source, MJML_OPTIONS);
    if (errors.length > 0)
      throw new Error(`email template ${name}: ${errors.map((e) => e.formattedMessage).join("; ")}`);
    compiled[name] = html;
  }
  writeCache(file, compiled);
  return compiled;
}

/**
 * One stored template's MJML document (admin-authored data, not our source) -> HTML, in memory:
 * stored templates change at runtime, so the disk cache keyed on our own sources does not apply.
 */
export async function compileMjmlDocument(source: string): Promise<string> {
  const { default: mjml2html } = await import("mjml");
  const { html, errors } = await mjml2html(source, MJML_OPTIONS);
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("; "));
  return html;
}
