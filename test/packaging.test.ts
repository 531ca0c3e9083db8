// @notify/client and @notify/queue as another repository gets them: packed with `npm pack -w`,
// installed from the tarballs into a throw-away app outside this repository, type-checked there
// with tsc (no server source in reach), and used from plain Node against the real API on Bun.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BunServer, type RedisServerHandle, startBunServer, startRedisServer } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumerApp, installConsumerApp, type PackedPackage, pack, ROOT } from "./support/consumer-app.ts";

const API_KEY = "consumer-app-key";

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "DOM"],
    types: ["node"],
    noEmit: true,
    // The packages' own declarations are checked too: a type they reference but do not ship fails here.
    skipLibCheck: false,
  },
};

const TYPED_CALL = `import { createNotifyClient, type NotifyClient } from "@notify/client";
import { createRedis, Queue } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";

const client: NotifyClient = createNotifyClient({ url: "http://127.0.0.1:4000", apiKey: "key" });
export async function send(): Promise<string> {
  const sent = await client.email.send.mutate({ template: "welcome", to: "ada@example.com", data: { user_name: "Ada" } });
  const duplicate: boolean = sent.duplicate;
  return duplicate ? "" : sent.jobId;
}
export const queue = new Queue(EMAIL_QUEUE, { connection: createRedis("redis://127.0.0.1:6379") });
`;

// "too" for "to": the router's input type must reject it.
const WRONG_CALL = `import { createNotifyClient } from "@notify/client";

const client = createNotifyClient({ url: "http://127.0.0.1:4000" });
export const wrong = client.email.send.mutate({ template: "welcome", too: "ada@example.com" });
`;

// Plain Node, no TypeScript: the client against the API, and the engine straight on Redis
// (an idempotent push runs one of the Lua scripts shipped in dist/lua).
const NODE_SCRIPT = `import { createNotifyClient, TRPCClientError } from "@notify/client";
import { createRedis, Queue } from "@notify/queue";
import { EMAIL_QUEUE } from "@notify/queue/notifications";

const [url, apiKey, redisUrl] = process.argv.slice(2);
const client = createNotifyClient({ url, apiKey });
const sent = await client.email.send.mutate({ template: "welcome", to: "ada@example.com", data: { user_name: "Ada" } });
let rejected = null;
try {
  await client.email.send.mutate({ template: "welcome", to: "not an address" });
} catch (error) {
  rejected = error instanceof TRPCClientError ? error.data?.code : String(error);
}
const redis = createRedis(redisUrl);
const queue = new Queue(EMAIL_QUEUE, { connection: redis });
const found = await queue.getJob(sent.jobId);
const first = await queue.push({ type: "welcome", to: "bob@example.com" }, { idempotencyKey: "consumer-1" });
const again = await queue.push({ type: "welcome", to: "bob@example.com" }, { idempotencyKey: "consumer-1" });
redis.disconnect();
console.log(JSON.stringify({
  resolved: [import.meta.resolve("@notify/client"), import.meta.resolve("@notify/queue")],
  sent,
  rejected,
  found: found && { state: found.state, to: found.job?.to },
  duplicate: [first.duplicate, again.duplicate, first.id === again.id],
}));
`;

const manifestText = (name: string) => readFileSync(join(ROOT, "packages", name, "package.json"), "utf8");

describe("the packages, installed outside the monorepo", () => {
  const tarballs = mkdtempSync(join(tmpdir(), "notify-tarballs-"));
  const before = { client: manifestText("client"), queue: manifestText("queue") };
  let client: PackedPackage;
  let queue: PackedPackage;
  let app: ConsumerApp;
  let redis: RedisServerHandle;
  let api: BunServer;

  beforeAll(async () => {
    // Side by side, and each kept as soon as it exists, so afterAll stops it whatever else failed.
    const redisStarted = startRedisServer().then((started) => {
      redis = started;
    });
    // One pack per process: each runs its package's build.
    try {
      [client, queue] = await Promise.all([pack("@notify/client", tarballs), pack("@notify/queue", tarballs)]);
    } finally {
      await redisStarted;
    }
    const apiStarted = startBunServer({
      entry: join(ROOT, "apps/api/src/server.ts"),
      cwd: ROOT,
      // Development, as npm start runs it (production would want production-length secrets).
      env: { NOTIFY_DEV: "1", REDIS_URL: redis.url, API_KEYS: API_KEY, HEALTH_REQUIRE_WORKERS: "false" },
      listening: '"api listening"',
    }).then((started) => {
      api = started;
    });
    try {
      app = await installConsumerApp([client.tarball, queue.tarball]);
    } finally {
      await apiStarted;
    }
  }, 900_000);

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    app?.remove();
    rmSync(tarballs, { recursive: true, force: true });
  });

  it("packs dist/ only, with a manifest whose entries point at it; the workspace's package.json is left as it was", () => {
    expect(client.files).toEqual(["dist/index.d.ts", "dist/index.js", "package.json"]);
    expect(client.manifest).toMatchObject({
      main: "./dist/index.js",
      types: "./dist/index.d.ts",
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
      dependencies: { "@trpc/client": expect.any(String) },
      peerDependencies: { "@trpc/server": expect.any(String) },
    });
    // Only the entries differ from the workspace's manifest (devDependencies are never installed).
    expect({ ...client.manifest, main: "", types: "", exports: {} }).toEqual({
      ...JSON.parse(before.client),
      main: "",
      types: "",
      exports: {},
    });
    expect(queue.files).toContain("dist/lua/claimJobs-8.lua");
    expect(queue.files).toContain("dist/notifications/index.d.ts");
    expect(queue.files.filter((file) => !file.startsWith("dist/") && file !== "package.json")).toEqual([]);
    expect(queue.manifest).toMatchObject({
      exports: {
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./notifications": { types: "./dist/notifications/index.d.ts", default: "./dist/notifications/index.js" },
      },
    });
    expect({ client: manifestText("client"), queue: manifestText("queue") }).toEqual(before);
    expect(existsSync(join(ROOT, "packages", "client", "package.workspace.json"))).toBe(false);
  });

  it("the client's types stand alone: no server source, and the router's type inline", () => {
    const types = readFileSync(join(app.dir, "node_modules", "@notify", "client", "dist", "index.d.ts"), "utf8");
    expect(types).not.toMatch(/@notify\/|ioredis|prom-client/);
    expect(types).toContain("declare const appRouter");
  });

  it("type-checks a typed call to email.send, and rejects a wrong input", async () => {
    app.write("typed-call.ts", TYPED_CALL);
    app.write("wrong-call.ts", WRONG_CALL);
    app.write("tsconfig.json", JSON.stringify({ ...TSCONFIG, files: ["typed-call.ts"] }));
    app.write("tsconfig.wrong.json", JSON.stringify({ ...TSCONFIG, files: ["wrong-call.ts"] }));
    const [typed, wrong] = await Promise.all([app.tsc("tsconfig.json"), app.tsc("tsconfig.wrong.json")]);
    expect(typed.output).toBe("");
    expect(typed.code).toBe(0);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/wrong-call\.ts\(4,\d+\): error TS2353: .*'too' does not exist/);
    expect(wrong.output.trim().split("\n")[0]).toMatch(/^wrong-call\.ts/); // nothing else failed
  });

  it("calls the running API from plain Node with the installed client, and the engine works from dist/", async () => {
    app.write("call.mjs", NODE_SCRIPT);
    const result = await app.node("call.mjs", [api.url, API_KEY, redis.url]);
    expect(result.code, result.output).toBe(0);
    const report = JSON.parse(result.output.trim().split("\n").at(-1) ?? "{}");
    expect(report.resolved.every((path: string) => path.startsWith(`file://${app.dir}/node_modules/`))).toBe(true);
    expect(report.sent).toMatchObject({ queue: "email", jobId: expect.any(String), duplicate: false });
    expect(report.rejected).toBe("BAD_REQUEST");
    expect(report.found).toEqual({ state: "pending", to: "ada@example.com" });
    expect(report.duplicate).toEqual([false, true, true]);
  });
});
