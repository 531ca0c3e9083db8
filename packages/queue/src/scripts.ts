// Loads every Lua script once per connection (ioredis defineCommand: EVALSHA with a fallback to
// EVAL) and wraps each in a typed function, so no caller ever sees KEYS[n] or ARGV[n].
import { readFileSync } from "node:fs";
import type { RedisConnection } from "./connection.ts";

const SCRIPT_NAMES = [
  "claimJobs-5",
  "ackJobs-6",
  "retryJob-7",
  "deadLetter-7",
  "promoteDelayed-2",
  "heartbeat-3",
  "reclaimWorker-5",
  "pushUnique-3",
  "fireSchedule-3",
  "acquireTokens-1",
  "retryDeadLetter-3",
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

const sources = new Map<ScriptName, string>(
  SCRIPT_NAMES.map((name) => [name, readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8")]),
);

export function scriptSource(name: ScriptName): string {
  const source = sources.get(name);
  if (source === undefined) throw new Error(`unknown script ${name}`);
  return source;
}

const commandName = (name: ScriptName) => `nq_${name.split("-")[0]}`;
const defined = new WeakSet<object>();

type Invoke = (...args: (string | number)[]) => Promise<unknown>;

/** Defines every script on the connection (once) and returns a raw invoker by name. */
function invoker(redis: RedisConnection, name: ScriptName): Invoke {
  if (!defined.has(redis)) {
    for (const script of SCRIPT_NAMES) {
      const [, keyCount] = script.split("-");
      // ackJobs takes a variable number of batch keys: its key count is passed per call.
      const numberOfKeys = script === "ackJobs-6" ? undefined : Number(keyCount);
      redis.defineCommand(commandName(script), { lua: scriptSource(script), numberOfKeys });
    }
    defined.add(redis);
  }
  const command = (redis as unknown as Record<string, Invoke>)[commandName(name)];
  if (typeof command !== "function") throw new Error(`script ${name} was not defined`);
  return command.bind(redis);
}

export interface ClaimArgs {
  pending: string;
  active: string;
  meta: string;
  stats: string;
  landing: string;
  max: number;
  doneCurrent: string;
  donePrevious: string;
}
/** A job a worker holds: its field in the active hash and the payload exactly as queued. */
export interface Held {
  field: string;
  payload: string;
}
export interface Claimed {
  held: Held[];
  /** How many of `held` were already in the active hash: the same job held twice (see the script). */
  overwritten: number;
}
export async function claimJobs(redis: RedisConnection, a: ClaimArgs): Promise<"paused" | Claimed> {
  const reply = await invoker(redis, "claimJobs-5")(
    a.pending,
    a.active,
    a.meta,
    a.stats,
    a.landing,
    a.max,
    a.doneCurrent,
    a.donePrevious,
  );
  if (reply === -1) return "paused";
  const [overwritten, count] = reply as [number, number];
  const flat = reply as string[];
  const held: Held[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const payload = flat[2 + i] as string;
    // The script matched {"id":"<printable ASCII without a quote>": the id ends at the next quote.
    held[i] = { field: payload.slice(ID_AT, payload.indexOf('"', ID_AT)), payload };
  }
  for (let at = 2 + count; at < flat.length; at += 2) {
    (held[Number(flat[at]) - 1] as Held).field = flat[at + 1] as string;
  }
  return { held, overwritten };
}
const ID_AT = '{"id":"'.length;

function pairs(flat: string[]): Held[] {
  const held: Held[] = new Array(flat.length / 2);
  for (let i = 0; i < flat.length; i += 2) held[i / 2] = { field: flat[i] as string, payload: flat[i + 1] as string };
  return held;
}

export interface AckEntry {
  field: string;
  id: string;
  batchKey?: string;
}
export interface AckArgs {
  active: string;
  stats: string;
  done: string;
  minute: string;
  day: string;
  completed: string;
  now: number;
  doneTtlSeconds: number;
  minuteTtlSeconds: number;
  dayTtlSeconds: number;
  historyCap: number;
  batchTtlSeconds: number;
  entries: AckEntry[];
  /** Fields of `entries` whose payloads go into the completed history. */
  historyFields: string[];
}
export async function ackJobs(redis: RedisConnection, a: AckArgs): Promise<{ acked: number; lost: number }> {
  // Grouped by batch, so the script bumps each batch once and each job costs one argument.
  const groups = new Map<string, string[]>();
  for (const entry of a.entries) {
    const group = entry.batchKey ?? "";
    const arg = entry.id === entry.field ? entry.field : `${entry.field}\n${entry.id}`;
    const members = groups.get(group);
    if (members) members.push(arg);
    else groups.set(group, [arg]);
  }
  const batchKeys: string[] = [];
  const argv: (string | number)[] = [
    a.now,
    a.doneTtlSeconds,
    a.minuteTtlSeconds,
    a.dayTtlSeconds,
    a.historyCap,
    a.batchTtlSeconds,
    a.historyFields.length,
    ...a.historyFields,
  ];
  for (const [batchKey, members] of groups) {
    const batchIndex = batchKey === "" ? 0 : batchKeys.push(batchKey);
    argv.push(batchIndex, members.length, ...members);
  }
  const keys = [a.active, a.stats, a.done, a.minute, a.day, a.completed, ...batchKeys];
  const [acked, lost] = (await invoker(redis, "ackJobs-6")(keys.length, ...keys, ...argv)) as [number, number];
  return { acked, lost };
}

export interface RetryArgs {
  active: string;
  delayed: string;
  pending: string;
  stats: string;
  failures: string;
  minute: string;
  meta: string;
  field: string;
  newPayload: string;
  /** 0 puts the job back at the head of the pending list. */
  dueAt: number;
  statsField: "retried" | "recovered" | "released" | "halted";
  failureEntry: string;
  historyCap: number;
  minuteTtlSeconds: number;
  pauseReason: string;
}
export async function retryJob(redis: RedisConnection, a: RetryArgs): Promise<boolean> {
  const reply = await invoker(redis, "retryJob-7")(
    a.active,
    a.delayed,
    a.pending,
    a.stats,
    a.failures,
    a.minute,
    a.meta,
    a.field,
    a.newPayload,
    a.dueAt,
    a.statsField,
    a.failureEntry,
    a.historyCap,
    a.minuteTtlSeconds,
    a.pauseReason,
  );
  return reply === 1;
}

export interface DeadLetterArgs {
  active: string;
  dlq: string;
  stats: string;
  failures: string;
  minute: string;
  day: string;
  batch?: string;
  field: string;
  entry: string;
  dlqCap: number;
  failureEntry: string;
  historyCap: number;
  minuteTtlSeconds: number;
  dayTtlSeconds: number;
  batchTtlSeconds: number;
}
export async function deadLetter(redis: RedisConnection, a: DeadLetterArgs): Promise<boolean> {
  const reply = await invoker(redis, "deadLetter-7")(
    a.active,
    a.dlq,
    a.stats,
    a.failures,
    a.minute,
    a.day,
    a.batch ?? a.stats,
    a.field,
    a.entry,
    a.dlqCap,
    a.failureEntry,
    a.historyCap,
    a.minuteTtlSeconds,
    a.dayTtlSeconds,
    a.batch ? 1 : 0,
    a.batchTtlSeconds,
  );
  return reply === 1;
}

export async function promoteDelayed(
  redis: RedisConnection,
  a: { delayed: string; pending: string; now: number; limit: number },
): Promise<{ promoted: number; nextDueAt: number | null }> {
  const [promoted, next] = (await invoker(redis, "promoteDelayed-2")(a.delayed, a.pending, a.now, a.limit)) as [
    number,
    string,
  ];
  const nextDueAt = Number(next);
  return { promoted, nextDueAt: nextDueAt < 0 ? null : nextDueAt };
}

export async function heartbeat(
  redis: RedisConnection,
  a: {
    workers: string;
    info: string;
    meta: string;
    workerId: string;
    leaseUntil: number;
    infoTtlSeconds: number;
    firstBeat: boolean;
    fields: Record<string, string | number>;
  },
): Promise<{ pausedReason: string | null; lost: boolean }> {
  const fields = Object.entries(a.fields).flat();
  const [paused, lost] = (await invoker(redis, "heartbeat-3")(
    a.workers,
    a.info,
    a.meta,
    a.workerId,
    a.leaseUntil,
    a.infoTtlSeconds,
    a.firstBeat ? 1 : 0,
    ...fields,
  )) as [string, number];
  return { pausedReason: paused === "" ? null : paused, lost: lost === 1 };
}

export async function reclaimWorker(
  redis: RedisConnection,
  a: {
    workers: string;
    deadActive: string;
    ownActive: string;
    deadInfo: string;
    deadLanding: string;
    deadId: string;
    now: number;
  },
): Promise<Held[]> {
  const reply = await invoker(redis, "reclaimWorker-5")(
    a.workers,
    a.deadActive,
    a.ownActive,
    a.deadInfo,
    a.deadLanding,
    a.deadId,
    a.now,
  );
  return pairs(reply as string[]);
}

export async function pushUnique(
  redis: RedisConnection,
  a: {
    idempotency: string;
    pending: string;
    delayed: string;
    id: string;
    payload: string;
    ttlSeconds: number;
    dueAt: number;
    urgent: boolean;
  },
): Promise<{ id: string; pushed: boolean }> {
  const [id, pushed] = (await invoker(redis, "pushUnique-3")(
    a.idempotency,
    a.pending,
    a.delayed,
    a.id,
    a.payload,
    a.ttlSeconds,
    a.dueAt,
    a.urgent ? 1 : 0,
  )) as [string, number];
  return { id, pushed: pushed === 1 };
}

export async function fireSchedule(
  redis: RedisConnection,
  a: {
    due: string;
    schedules: string;
    pending: string;
    name: string;
    expectedDueAt: number;
    nextDueAt: number;
    payload: string;
  },
): Promise<boolean> {
  const reply = await invoker(redis, "fireSchedule-3")(
    a.due,
    a.schedules,
    a.pending,
    a.name,
    a.expectedDueAt,
    a.nextDueAt,
    a.payload,
  );
  return reply === 1;
}

export async function acquireTokens(
  redis: RedisConnection,
  a: { limiter: string; now: number; max: number; durationMs: number; wanted: number },
): Promise<{ granted: number; waitMs: number }> {
  const [granted, waitMs] = (await invoker(redis, "acquireTokens-1")(
    a.limiter,
    a.now,
    a.max,
    a.durationMs,
    a.wanted,
  )) as [number, number];
  return { granted, waitMs };
}

export async function retryDeadLetter(
  redis: RedisConnection,
  a: { dlq: string; pending: string; stats: string; entry: string; payload: string },
): Promise<boolean> {
  return (await invoker(redis, "retryDeadLetter-3")(a.dlq, a.pending, a.stats, a.entry, a.payload)) === 1;
}

export const ALL_SCRIPTS = SCRIPT_NAMES;
