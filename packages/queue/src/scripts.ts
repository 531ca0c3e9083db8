// Loads every Lua script once per connection (ioredis defineCommand: EVALSHA with a fallback to
// EVAL) and wraps each in a typed function, so no caller ever sees KEYS[n] or ARGV[n].
import { readFileSync } from "node:fs";
import type { RedisConnection } from "./connection.ts";

const SCRIPT_NAMES = [
  "claimJobs-8",
  "ackJobs-8",
  "retryJob-8",
  "deadLetter-8",
  "promoteDelayed-3",
  "heartbeat-3",
  "reclaimWorker-6",
  "pushUnique-4",
  "pushPrioritized-2",
  "fireSchedule-3",
  "acquireTokens-1",
  "retryDeadLetter-3",
  "returnLanded-2",
  "addBatchItems-5",
  "recordMessageEvent-2",
  "recordAttempts-9",
  "cleanOlder-1",
  "recordTrackingHit-2",
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

const readLua = (path: string) => readFileSync(new URL(`./lua/${path}.lua`, import.meta.url), "utf8");
/** `-- include: name` lines take the shared snippet lua/includes/name.lua. */
const withIncludes = (source: string) =>
  source.replace(/^-- include: ([A-Za-z]+)$/gm, (_, name: string) => readLua(`includes/${name}`).trimEnd());
const sources = new Map<ScriptName, string>(SCRIPT_NAMES.map((name) => [name, withIncludes(readLua(name))]));

/** Payloads up to this size are JSON-decoded by the scripts when their id is not at the head. */
export const MAX_DECODE_BYTES = 256 * 1024;

export function scriptSource(name: ScriptName): string {
  const source = sources.get(name);
  if (source === undefined) throw new Error(`unknown script ${name}`);
  return source;
}

const VARIABLE_KEYS = new Set<ScriptName>(["ackJobs-8", "recordAttempts-9"]);
const commandName = (name: ScriptName) => `nq_${name.split("-")[0]}`;
const defined = new WeakSet<object>();

type Invoke = (...args: (string | number)[]) => Promise<unknown>;

/** Defines every script on the connection (once); a pipeline made afterwards carries them too. */
export function defineScripts(redis: RedisConnection): void {
  if (defined.has(redis)) return;
  for (const script of SCRIPT_NAMES) {
    const [, keyCount] = script.split("-");
    // ackJobs and recordAttempts take a variable number of keys: their key count is passed per call.
    const numberOfKeys = VARIABLE_KEYS.has(script) ? undefined : Number(keyCount);
    redis.defineCommand(commandName(script), { lua: scriptSource(script), numberOfKeys });
  }
  defined.add(redis);
}

/** Returns a raw invoker by name, defining the scripts first. */
function invoker(redis: RedisConnection, name: ScriptName): Invoke {
  defineScripts(redis);
  const command = (redis as unknown as Record<string, Invoke>)[commandName(name)];
  if (typeof command !== "function") throw new Error(`script ${name} was not defined`);
  return command.bind(redis);
}

/**
 * One lease epoch of a worker: its id in the lease set and the keys of what it holds. A worker
 * whose lease was taken starts a new epoch; whatever it still does under the old one is fenced.
 */
export interface Holder {
  readonly id: string;
  readonly active: string;
  readonly landing: string;
}

export interface ClaimArgs {
  pending: string;
  prioritized: string;
  meta: string;
  stats: string;
  workers: string;
  held: string;
  holder: Holder;
  max: number;
  doneCurrent: string;
  donePrevious: string;
  /** The next window's set, for a claim that may run after the current window ends. */
  doneNext?: string;
}
/** A job a worker holds: its field in the active hash, the payload exactly as queued, and under which epoch. */
export interface Held {
  field: string;
  payload: string;
  holder: Holder;
}
/** "paused", "lease" (our lease is not live: nothing was claimed), or what was claimed. */
export type Claimed = "paused" | "lease" | Held[];
export async function claimJobs(redis: RedisConnection, a: ClaimArgs): Promise<Claimed> {
  const reply = await invoker(redis, "claimJobs-8")(
    a.pending,
    a.holder.active,
    a.meta,
    a.stats,
    a.holder.landing,
    a.workers,
    a.held,
    a.prioritized,
    a.max,
    a.doneCurrent,
    a.donePrevious,
    a.holder.id,
    MAX_DECODE_BYTES,
    ...(a.doneNext === undefined ? [] : [a.doneNext]),
  );
  if (reply === -1) return "paused";
  if (reply === -2) return "lease";
  const flat = reply as string[];
  const count = Number(flat[0]);
  const held: Held[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const payload = flat[1 + i] as string;
    // Unless listed below, the script matched {"id":"<printable ASCII without a quote>".
    held[i] = { field: payload.slice(ID_AT, payload.indexOf('"', ID_AT)), payload, holder: a.holder };
  }
  for (let at = 1 + count; at < flat.length; at += 2) {
    (held[Number(flat[at]) - 1] as Held).field = flat[at + 1] as string;
  }
  return held;
}
const ID_AT = '{"id":"'.length;

export interface AckEntry {
  field: string;
  id: string;
  batchKey?: string;
}
export interface AckArgs {
  holder: Holder;
  held: string;
  /** The lease zset: a replayed ack is told from a late one by the lease still being live. */
  workers: string;
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
  /** Processing-time histogram increments (processing-time.ts). */
  processingTime: { buckets: [string, number][]; sumUs: number };
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
    a.holder.id,
    a.historyFields.length,
    ...a.historyFields,
    a.processingTime.buckets.length,
    ...a.processingTime.buckets.flat(),
    a.processingTime.sumUs,
  ];
  for (const [batchKey, members] of groups) {
    const batchIndex = batchKey === "" ? 0 : batchKeys.push(batchKey);
    argv.push(batchIndex, members.length, ...members);
  }
  const keys = [a.holder.active, a.stats, a.done, a.minute, a.day, a.completed, a.held, a.workers, ...batchKeys];
  const [acked, lost] = (await invoker(redis, "ackJobs-8")(keys.length, ...keys, ...argv)) as [number, number];
  return { acked, lost };
}

export interface RetryArgs {
  active: string;
  held: string;
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
  const reply = await invoker(redis, "retryJob-8")(
    a.active,
    a.delayed,
    a.pending,
    a.stats,
    a.failures,
    a.minute,
    a.meta,
    a.held,
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
  held: string;
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
  const reply = await invoker(redis, "deadLetter-8")(
    a.active,
    a.dlq,
    a.stats,
    a.failures,
    a.minute,
    a.day,
    a.batch ?? a.stats,
    a.held,
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
  a: { delayed: string; pending: string; prioritized: string; now: number; limit: number },
): Promise<{ promoted: number; nextDueAt: number | null }> {
  const [promoted, next] = (await invoker(redis, "promoteDelayed-3")(
    a.delayed,
    a.pending,
    a.prioritized,
    a.now,
    a.limit,
  )) as [number, string];
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
    leaseMs: number;
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
    a.leaseMs,
    a.infoTtlSeconds,
    a.firstBeat ? 1 : 0,
    ...fields,
  )) as [string, number];
  return { pausedReason: paused === "" ? null : paused, lost: lost === 1 };
}

/** Takes an expired worker's jobs into `own`'s active hash; returns them (none when it was alive). */
export async function reclaimWorker(
  redis: RedisConnection,
  a: { workers: string; held: string; deadId: string; dead: Omit<Holder, "id"> & { info: string }; own: Holder },
): Promise<Held[]> {
  const flat = (await invoker(redis, "reclaimWorker-6")(
    a.workers,
    a.dead.active,
    a.own.active,
    a.dead.info,
    a.dead.landing,
    a.held,
    a.deadId,
    a.own.id,
    MAX_DECODE_BYTES,
  )) as string[];
  const held: Held[] = new Array(flat.length / 2);
  for (let i = 0; i < flat.length; i += 2) {
    held[i / 2] = { field: flat[i] as string, payload: flat[i + 1] as string, holder: a.own };
  }
  return held;
}

export async function pushUnique(
  redis: RedisConnection,
  a: {
    idempotency: string;
    pending: string;
    delayed: string;
    prioritized: string;
    id: string;
    payload: string;
    ttlSeconds: number;
    dueAt: number;
    urgent: boolean;
    /** 1-10, or 0 for none. */
    priority: number;
  },
): Promise<{ id: string; pushed: boolean }> {
  const [id, pushed] = (await invoker(redis, "pushUnique-4")(
    a.idempotency,
    a.pending,
    a.delayed,
    a.prioritized,
    a.id,
    a.payload,
    a.ttlSeconds,
    a.dueAt,
    a.urgent ? 1 : 0,
    a.priority,
  )) as [string, number];
  return { id, pushed: pushed === 1 };
}

export interface PrioritizedPush {
  prioritized: string;
  pending: string;
  priority: number;
  payloads: string[];
}

/**
 * The same push queued on a pipeline or MULTI; its connection must have had defineScripts() run
 * before the pipeline was made (ioredis copies defined commands into a pipeline when it is made).
 */
export function queuePushPrioritized(pipeline: object, a: PrioritizedPush): void {
  const command = (pipeline as Record<string, unknown>)[commandName("pushPrioritized-2")];
  if (typeof command !== "function") throw new Error("pushPrioritized is not defined on this pipeline");
  command.call(pipeline, a.prioritized, a.pending, a.priority, ...a.payloads);
}

/** Adds payloads to the prioritized lane at one level (1 runs first); wakes idle workers. */
export async function pushPrioritized(redis: RedisConnection, a: PrioritizedPush): Promise<number> {
  return (await invoker(redis, "pushPrioritized-2")(a.prioritized, a.pending, a.priority, ...a.payloads)) as number;
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

export async function returnLanded(redis: RedisConnection, a: { landing: string; pending: string }): Promise<number> {
  return (await invoker(redis, "returnLanded-2")(a.landing, a.pending)) as number;
}

export interface BatchItemsArgs {
  keys: [pending: string, batch: string, items: string, failures: string, index: string];
  now: number;
  ttlSeconds: number;
  indexCap: number;
  tenant: string;
  batchId: string;
  /** item key, job id ("" when failed), payload or reason */
  triples: string[];
}

export async function addBatchItems(redis: RedisConnection, a: BatchItemsArgs): Promise<[number, number, number]> {
  const args = [...a.keys, a.now, a.ttlSeconds, a.indexCap, a.tenant, a.batchId, ...a.triples];
  return (await invoker(redis, "addBatchItems-5")(...args)) as [number, number, number];
}

/** 1 moved, 0 stayed (a higher status is already there), -1 not in the log. */
export async function recordMessageEventScript(
  redis: RedisConnection,
  a: {
    message: string;
    events: string;
    status: string;
    rank: number;
    at: number;
    event: string;
    maxEvents: number;
    ttlSeconds: number;
  },
): Promise<-1 | 0 | 1> {
  const run = invoker(redis, "recordMessageEvent-2");
  return (await run(a.message, a.events, a.status, a.rank, a.at, a.event, a.maxEvents, a.ttlSeconds)) as -1 | 0 | 1;
}

export interface AttemptRecordArgs {
  message: string;
  events: string;
  /** The index sorted sets this message belongs to (at most six). */
  indexes: string[];
  id: string;
  enqueuedAt: number;
  summary: Record<string, string>;
  /** Timeline events as JSON, oldest first. */
  timeline: string[];
}

export interface RecordAttemptsArgs {
  all: string;
  ttlSeconds: number;
  eventsCap: number;
  perIndexCap: number;
  messages: readonly AttemptRecordArgs[];
}

/** String.prototype.toWellFormed (ES2024: Node 20, Bun); the TypeScript lib used here predates it. */
const wellFormed = (text: string) => (text as unknown as { toWellFormed(): string }).toWellFormed();

/** Writes finished attempts (one or more messages) into the message log; returns how many. */
export async function recordAttemptsScript(redis: RedisConnection, a: RecordAttemptsArgs): Promise<number> {
  const keys: string[] = [a.all];
  const args: (string | number)[] = [a.ttlSeconds, a.eventsCap, a.perIndexCap];
  for (const m of a.messages) {
    keys.push(m.message, m.events, ...m.indexes);
    // Lua's cjson refuses the \uD800 JSON.stringify writes for a lone surrogate (a clipped error
    // text can hold one); as a plain argument it became U+FFFD, and still does.
    const fields = Object.entries(m.summary).flatMap(([field, value]) => [field, wellFormed(value)]);
    args.push(JSON.stringify([m.id, String(m.enqueuedAt), m.indexes.length, fields, m.timeline]));
  }
  return (await invoker(redis, "recordAttempts-9")(keys.length, ...keys, ...args)) as number;
}

/** Removes entries at or before `cutoff` from a newest-first list whose entries carry `field`. */
export async function cleanOlder(
  redis: RedisConnection,
  a: { list: string; cutoff: number; field: "finishedAt" | "failedAt"; limit: number },
): Promise<number> {
  return (await invoker(redis, "cleanOlder-1")(a.list, a.cutoff, a.field, a.limit)) as number;
}

/** True for a message's first tracking hit of its kind (notifications/tracking-hits.ts decides the sets). */
export async function recordTrackingHitScript(
  redis: RedisConnection,
  a: { earlier: string; seen: string; member: string; ttlSeconds: number },
): Promise<boolean> {
  return (await invoker(redis, "recordTrackingHit-2")(a.earlier, a.seen, a.member, a.ttlSeconds)) === 1;
}

export const ALL_SCRIPTS = SCRIPT_NAMES;
