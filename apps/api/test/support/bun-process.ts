// The real Bun entry (src/server.ts) as a child process, for the suites that must not stop at Node.
import { fileURLToPath } from "node:url";
import { type BunServer, startBunServer } from "@notify/testing";

const ENTRY = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

export type BunApi = BunServer;

export function startBunApi(env: Record<string, string>): Promise<BunApi> {
  // Without NODE_ENV (or npm start's NOTIFY_DEV) the API is in production and wants real secrets.
  return startBunServer({ entry: ENTRY, env: { NODE_ENV: "test", ...env }, listening: '"api listening"' });
}
