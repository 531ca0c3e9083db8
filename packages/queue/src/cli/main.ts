// The queue CLI: `npm run queue -- <command> [--json]`. Every failure is one line on stderr and a
// non-zero exit (2 for a wrong command line, 1 for everything else).
import { parseArgs } from "node:util";
import type { Command, CommandContext, RedisConnection } from "./command.ts";
import { closeRedis, openRedis } from "./connect.ts";
import { clear, pause, resume } from "./control.ts";
import { dlq } from "./dlq.ts";
import { CliError, usageError } from "./errors.ts";
import { exportJobs, peek, stats } from "./inspect.ts";
import { clean, watch } from "./monitor.ts";
import { createOutput } from "./output.ts";
import { ping } from "./ping.ts";
import { push } from "./push.ts";

const COMMANDS: Record<string, Command> = {
  ping,
  stats,
  peek,
  push,
  dlq,
  pause,
  resume,
  clear,
  clean,
  watch,
  export: exportJobs,
};

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.split(" | ").join("\n  ")}\n      ${c.summary}`);
  return [
    "usage: npm run queue -- <command> [--json] [--timeout ms]",
    "",
    "commands:",
    ...lines,
    "",
    "Redis: REDIS_URL (redis:// or rediss://, password allowed), else the embedded redis://127.0.0.1:6390;",
    "  REDIS_CLUSTER_NODES=host:port,... for a cluster, REDIS_SENTINELS=host:port,... (+ REDIS_SENTINEL_NAME) for Sentinel",
    "--json prints machine-readable JSON instead of text.",
  ].join("\n");
}

const GLOBAL_OPTIONS = {
  json: { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function main(argv: string[]): Promise<number> {
  const at = argv.findIndex((a) => !a.startsWith("-"));
  const name = at === -1 ? undefined : argv[at];
  const rest = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
  if (name === undefined || name === "help" || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${help()}\n`);
    return name === undefined && !rest.includes("--help") && !rest.includes("-h") ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw usageError(`unknown command "${name}"`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${name}: ${(error as Error).message}`);
  }
  const timeout = parsed.values.timeout;
  const timeoutMs = typeof timeout === "string" ? Number(timeout) : 5_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw usageError("--timeout must be a positive number of milliseconds");
  let connection: RedisConnection | null = null;
  const ctx: CommandContext = {
    positionals: parsed.positionals,
    values: parsed.values as CommandContext["values"],
    out: createOutput(parsed.values.json === true),
    async redis() {
      connection ??= (await openRedis({ timeoutMs })).redis;
      return connection;
    },
  };
  try {
    await command.run(ctx);
  } finally {
    if (connection) await closeRedis(connection);
  }
  return 0;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${oneLine(error)}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  },
);
