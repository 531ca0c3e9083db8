// The shape every CLI command shares: its options (node:util parseArgs), its usage line, and a run
// function that gets parsed arguments, the output and a lazily opened Redis connection.
import type { ParseArgsConfig } from "node:util";
import type { RedisConnection } from "../index.ts";
import { usageError } from "./errors.ts";
import type { Output } from "./output.ts";

export type { RedisConnection };
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | undefined>;

export interface CommandContext {
  positionals: string[];
  values: Values;
  out: Output;
  redis(): Promise<RedisConnection>;
}

export interface Command {
  usage: string;
  summary: string;
  options?: OptionSpec;
  run(ctx: CommandContext): Promise<void>;
}

export function requireQueue(ctx: CommandContext, usage: string): string {
  const name = ctx.positionals[0];
  if (!name) throw usageError(`missing queue name: ${usage}`);
  return name;
}

export function positiveInt(value: string | boolean | undefined, what: string, fallback: number): number {
  if (value === undefined || value === false) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n <= 0)
    throw usageError(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}
