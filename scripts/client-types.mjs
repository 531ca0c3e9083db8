// One .d.ts for @notify/client: the declarations tsc emitted for the client and the API's router
// (and the @notify/queue types its procedures return), bundled by rollup-plugin-dts into a single
// file that imports only packages the client declares.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

/**
 * The router's type carries the server's request context (Redis connections, metrics, delivery);
 * a client never sees it (tRPC's client reads the procedures, meta, errors and transformer), so
 * the bundle declares it opaque instead of pulling the server's dependencies in.
 */
const OPAQUE_CONTEXT =
  "/** The API's per-request context: server-side only, opaque to clients. */\nexport interface Context {}\n";

/** Bare module names a declaration file imports (`from "x"`, `import("x")`). */
export function importedPackages(text) {
  const names = new Set();
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\(\s*)["']([^"'.][^"']*)["']/g)) {
    const specifier = match[1] ?? "";
    names.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
  }
  return [...names].sort();
}

export async function bundleClientTypes({ declarations, out, manifest }) {
  const entries = {
    "@notify/api": join(declarations, "apps/api/src/index.d.ts"),
    "@notify/queue": join(declarations, "packages/queue/src/index.d.ts"),
    // The message log's and webhooks' types (messages.*, webhooks.*), stored templates' and
    // preferences' come from here.
    "@notify/queue/notifications": join(declarations, "packages/queue/src/notifications/index.d.ts"),
  };
  const context = join(declarations, "apps/api/src/context.d.ts");
  const bundle = await rollup({
    input: join(declarations, "packages/client/src/index.d.ts"),
    plugins: [
      {
        name: "notify-workspace-types",
        resolveId: (id) => entries[id] ?? null,
        load: (id) => (id === context ? OPAQUE_CONTEXT : null),
      },
      dts(),
    ],
    // Every other package stays an import; the check below says which of them the bundle kept.
    external: (id) => !id.startsWith(".") && !id.startsWith("/") && !(id in entries),
  });
  try {
    await bundle.write({ file: out, format: "es" });
  } finally {
    await bundle.close();
  }
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const undeclared = importedPackages(readFileSync(out, "utf8")).filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    rmSync(out); // a consumer without those packages would see parts of the router as `any`
    throw new Error(
      `the client's bundled types import ${undeclared.join(", ")}, which packages/client/package.json does not ` +
        "declare: a server-side type leaked into the router's type, or the client needs that dependency",
    );
  }
}
