// The import picture runs one way: apps import packages through their public entries, no app
// imports another app, nothing reaches into packages/x/src from outside packages/x, and only
// packages/queue speaks to Redis (packages/testing starts and inspects throw-away servers).
// Read from the source files themselves, so a new file is checked without being listed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIP = new Set(["node_modules", "build", "dist", ".cache", ".data", "artifacts", "public"]);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return SOURCE.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** "apps/api", "packages/queue", "scripts", "test": the unit a repository path belongs to. */
function unitOf(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  return parts[0] === "apps" || parts[0] === "packages" ? `${parts[0]}/${parts[1]}` : (parts[0] ?? "");
}

const UNITS = ["apps", "packages"].flatMap((top) =>
  readdirSync(join(ROOT, top))
    .filter((name) => existsSync(join(ROOT, top, name, "package.json")))
    .map((name) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, top, name, "package.json"), "utf8")) as {
        name: string;
        exports?: Record<string, string>;
      };
      return { unit: `${top}/${name}`, name: manifest.name, exports: Object.keys(manifest.exports ?? {}) };
    }),
);
const byPackageName = new Map(UNITS.map((u) => [u.name, u]));

interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

const IMPORT_PATTERNS = [
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT_PATTERNS[0] as RegExp))
    found.push({ file, specifier: match[3] ?? "", typeOnly: Boolean(match[2]) });
  for (const match of text.matchAll(IMPORT_PATTERNS[1] as RegExp))
    found.push({ file, specifier: match[1] ?? "", typeOnly: false });
  return found;
}

const FILES = ["apps", "packages", "scripts", "test"].flatMap((dir) => walk(join(ROOT, dir)));
const IMPORTS = FILES.flatMap(importsOf);
const where = (i: Import) => `${relative(ROOT, i.file)} imports ${i.specifier}`;

/** The unit an import lands in, and whether it goes through that unit's public entry. */
function target(i: Import): { unit: string; publicEntry: boolean } | null {
  if (i.specifier.startsWith(".")) {
    const unit = unitOf(resolve(dirname(i.file), i.specifier));
    return { unit, publicEntry: unit === unitOf(i.file) };
  }
  const match = /^(@notify\/[^/]+)(\/.*)?$/.exec(i.specifier);
  if (!match) return null;
  const pkg = byPackageName.get(match[1] ?? "");
  if (!pkg) return { unit: match[1] ?? "", publicEntry: false };
  return { unit: pkg.unit, publicEntry: pkg.exports.includes(`.${match[2] ?? ""}`) };
}

describe("the import picture", () => {
  it("finds the sources it checks", () => {
    expect(FILES.length).toBeGreaterThan(150);
    expect(IMPORTS.some((i) => i.specifier === "@notify/delivery")).toBe(true);
  });

  it("no app imports another app, and no package imports an app", () => {
    const bad = IMPORTS.filter((i) => {
      const to = target(i);
      if (!to?.unit.startsWith("apps/") || to.unit === unitOf(i.file)) return false;
      // The client's one link to the API is the router's type, erased at build time.
      if (unitOf(i.file) === "packages/client" && to.unit === "apps/api" && i.typeOnly) return false;
      return true;
    });
    expect(bad.map(where)).toEqual([]);
  });

  it("every unit declares the @notify packages it imports", () => {
    const declared = new Map(
      UNITS.map((u) => {
        const manifest = JSON.parse(readFileSync(join(ROOT, u.unit, "package.json"), "utf8")) as {
          dependencies?: Record<string, string>;
          devDependencies?: Record<string, string>;
        };
        return [
          u.unit,
          new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]),
        ];
      }),
    );
    const bad = IMPORTS.filter((i) => {
      const name = /^(@notify\/[^/]+)/.exec(i.specifier)?.[1];
      const own = declared.get(unitOf(i.file));
      return (
        name !== undefined && own !== undefined && byPackageName.get(name)?.unit !== unitOf(i.file) && !own.has(name)
      );
    });
    expect(bad.map(where)).toEqual([]);
  });

  it("nothing imports another unit's files: only its public entry (package.json exports)", () => {
    const bad = IMPORTS.filter((i) => {
      const to = target(i);
      return to !== null && to.unit !== unitOf(i.file) && !to.publicEntry;
    });
    expect(bad.map(where)).toEqual([]);
  });
});

// The code of apps and packages, dev tools included, but not the tests that inspect Redis, nor
// scripts/ (they start, measure and stop redis-server processes, as packages/testing does).
const SHIPPED = FILES.filter(
  (file) =>
    /^(apps|packages)[/\\]/.test(relative(ROOT, file)) && !/[/\\]test[/\\]|\.test\.ts$/.test(relative(ROOT, file)),
);
const REDIS_OWNERS = new Set(["packages/queue", "packages/testing"]);
/** Connection handling, not commands: these may be called on a connection anywhere. */
const CONNECTION_METHODS = new Set(["on", "once", "off", "disconnect", "quit", "connect", "duplicate"]);
// Exceptions, listed so the test stays exact: an entry that no longer occurs fails below and must
// be removed. None left: the API's /health asks packages/queue (redisInfo) instead of pinging.
const KNOWN_REDIS_CALLS = new Set<string>([]);

function redisCallsIn(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const calls: string[] = [];
  // `redis.rpush(`, `deps.redis.hset(`, `this.redis.eval(`: a command on a connection.
  for (const match of text.matchAll(/\bredis\??\.(\w+)\s*\(/g)) {
    const method = match[1] ?? "";
    if (!CONNECTION_METHODS.has(method)) calls.push(method);
  }
  // Commands that no other API in this codebase spells, whatever the receiver is called.
  for (const match of text.matchAll(
    /\.(rpush|lpush|hset|hincrby|hsetnx|zadd|sadd|srem|pfadd|evalsha|xadd|blmove|lmove)\s*\(/g,
  ))
    calls.push(match[1] ?? "");
  return [...new Set(calls)].map((method) => `${relative(ROOT, file)}: ${method}`);
}

describe("the workspace manifests", () => {
  // npm pack's prepack points a manifest at dist/ only while it packs; one left (or committed)
  // that way would make the whole workspace load a stale build instead of the sources.
  it("point every entry at the sources", () => {
    for (const { unit } of UNITS.filter((u) => u.unit.startsWith("packages/"))) {
      const manifest = JSON.parse(readFileSync(join(ROOT, unit, "package.json"), "utf8")) as {
        main?: string;
        exports?: Record<string, unknown>;
      };
      const entries = [manifest.main, ...Object.values(manifest.exports ?? {})].filter((e) => e !== undefined);
      for (const entry of entries) expect(entry, `${unit}/package.json`).toMatch(/^\.\/src\//);
    }
  });
});

describe("only packages/queue speaks to Redis", () => {
  it("nothing else imports ioredis", () => {
    const bad = IMPORTS.filter((i) => /^ioredis(\/|$)/.test(i.specifier) && !REDIS_OWNERS.has(unitOf(i.file)));
    expect(bad.map(where)).toEqual([]);
  });

  it("no shipped code outside it issues a Redis command", () => {
    const calls = SHIPPED.filter((file) => !REDIS_OWNERS.has(unitOf(file))).flatMap(redisCallsIn);
    expect(calls.filter((call) => !KNOWN_REDIS_CALLS.has(call))).toEqual([]);
    expect([...KNOWN_REDIS_CALLS].filter((known) => !calls.includes(known))).toEqual([]);
  });

  it("the detector sees a command", () => {
    const probe = join(ROOT, "packages/queue/src/group-commit.ts");
    expect(redisCallsIn(probe)).toContain("packages/queue/src/group-commit.ts: rpush");
  });
});

describe("the API starts light", () => {
  it("@notify/delivery's entry reaches no renderer or provider SDK without a dynamic import", () => {
    const heavy = /^(mjml|handlebars|@sendgrid\/|libphonenumber-js)/;
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(IMPORT_PATTERNS[0] as RegExp)) {
        const specifier = match[3] ?? "";
        if (match[2]) continue; // type-only: erased
        if (heavy.test(specifier)) reached.push(`${relative(ROOT, file)} imports ${specifier}`);
        if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      }
    };
    visit(join(ROOT, "packages/delivery/src/index.ts"));
    expect(seen.size).toBeGreaterThan(3);
    expect(reached).toEqual([]);
    // The handlers and templates are reached, through import(): the check above would see them.
    expect(seen.has(join(ROOT, "packages/delivery/src/templates/email-renderer.ts"))).toBe(false);
  });
});
