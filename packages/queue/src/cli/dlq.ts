// `dlq list|retry|delete|purge <queue> ...`: the dead-letter list, newest first. Every entry keeps
// the job, the error, the attempts and when it failed.
import { type DeadLetter, Queue } from "../index.ts";
import { type Command, type CommandContext, positiveInt, stringOption } from "./command.ts";
import { usageError } from "./errors.ts";
import { clip, columns, formatTime } from "./output.ts";

const USAGE =
  "dlq list <queue> [--limit N] [--offset N] [--error text] | dlq retry <queue> <id>|--index N|--all|--error text | dlq delete <queue> <id> | dlq purge <queue>";

const ACTIONS = new Set(["list", "retry", "delete", "purge"]);

function summary(entry: DeadLetter): (string | number)[] {
  return [
    entry.id,
    entry.job?.type ?? "-",
    entry.reason,
    entry.attempts,
    formatTime(entry.failedAt),
    clip(entry.error, 70),
  ];
}

/** The stored entry string is an internal handle; it stays out of what the CLI prints. */
function printable({ entry: _entry, ...rest }: DeadLetter) {
  return rest;
}

async function list(ctx: CommandContext, queue: Queue): Promise<void> {
  const limit = positiveInt(ctx.values.limit, "--limit", 20);
  const offset = ctx.values.offset === "0" ? 0 : positiveInt(ctx.values.offset, "--offset", 0);
  const error = stringOption(ctx.values, "error");
  const { total, entries } = await queue.dlq.list({ limit, offset, ...(error ? { error } : {}) });
  ctx.out.result({ queue: queue.name, total, offset, entries: entries.map(printable) }, () => {
    if (entries.length === 0)
      return `${queue.name}: no dead letters${error ? ` matching "${error}"` : ""} (total ${total})`;
    const table = columns([["id", "type", "reason", "attempts", "failed at", "error"], ...entries.map(summary)]);
    return `${table}\n${offset + 1}-${offset + entries.length} of ${total}${error ? ` matching "${error}"` : ""}`;
  });
}

async function retry(ctx: CommandContext, queue: Queue, id: string | undefined): Promise<void> {
  const error = stringOption(ctx.values, "error");
  const all = ctx.values.all === true;
  const index = stringOption(ctx.values, "index");
  if ([id !== undefined, all, error !== undefined, index !== undefined].filter(Boolean).length !== 1) {
    throw usageError("dlq retry takes exactly one of: <id>, --index N, --all, --error text");
  }
  if (index !== undefined) {
    // Seed 004's retry_dead_letter_job(queue, index): 0 is the newest, as `dlq list` shows them.
    if (!/^\d{1,9}$/.test(index)) throw usageError("--index must be a whole number, 0 for the newest");
    const dead = await queue.dlq.retryAt(Number(index));
    if (!dead) throw new Error(`${queue.name}: no dead letter at index ${index}`);
    ctx.out.result(
      { queue: queue.name, retried: 1, id: dead.id, index: Number(index) },
      () => `${queue.name}: ${dead.id} (index ${index}) is pending again`,
    );
    return;
  }
  if (id !== undefined) {
    if (!(await queue.dlq.retry(id))) throw new Error(`${queue.name}: no dead letter with id ${id}`);
    ctx.out.result({ queue: queue.name, retried: 1, id }, () => `${queue.name}: ${id} is pending again`);
    return;
  }
  const retried = await queue.dlq.retryAll(error ? { error } : {});
  ctx.out.result({ queue: queue.name, retried }, () => `${queue.name}: ${retried} dead letters are pending again`);
}

export const dlq: Command = {
  usage: USAGE,
  summary: "list, retry (one, all, or by error text), delete or purge dead letters",
  options: {
    limit: { type: "string" },
    offset: { type: "string" },
    error: { type: "string" },
    index: { type: "string" },
    all: { type: "boolean" },
  },
  async run(ctx) {
    const [action, name, id, ...extra] = ctx.positionals;
    if (!action) throw usageError(`missing dlq action: ${USAGE}`);
    if (!name) throw usageError(`missing queue name: ${USAGE}`);
    if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(" ")}`);
    if (!ACTIONS.has(action)) throw usageError(`unknown dlq action "${action}": ${USAGE}`);
    const queue = await Queue.open(name, { connection: await ctx.redis() });
    switch (action) {
      case "list":
        if (id !== undefined) throw usageError(`dlq list takes no id: ${USAGE}`);
        return list(ctx, queue);
      case "retry":
        return retry(ctx, queue, id);
      case "delete": {
        if (id === undefined) throw usageError("dlq delete needs the id of the dead letter");
        if (!(await queue.dlq.delete(id))) throw new Error(`${name}: no dead letter with id ${id}`);
        ctx.out.result({ queue: name, deleted: 1, id }, () => `${name}: deleted dead letter ${id}`);
        return;
      }
      case "purge": {
        if (id !== undefined) throw usageError("dlq purge takes no id; it removes every dead letter of the queue");
        const purged = await queue.dlq.purge();
        ctx.out.result({ queue: name, purged }, () => `${name}: purged ${purged} dead letters`);
        return;
      }
      default:
        throw usageError(`unknown dlq action "${action}": ${USAGE}`);
    }
  },
};
