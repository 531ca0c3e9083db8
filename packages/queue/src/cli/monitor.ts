// Seed 002's monitoring from the terminal: `watch` redraws every queue's counts and health until
// Ctrl-C (or --frames N, for scripts), and `clean` is BullMQ's clean(grace, state) for the
// completed history and the dead-letter list.
import { type CleanableState, listQueues, Queue } from "../index.ts";
import { type Command, positiveInt, requireQueue, stringOption } from "./command.ts";
import { usageError } from "./errors.ts";
import { clip, columns } from "./output.ts";

const WATCH_COLUMNS = ["queue", "health", "pending", "active", "delayed", "dead", "workers", "processed", "failed"];
/** ANSI: cursor home, clear the screen; only sent to a terminal. */
const REDRAW = "\x1b[H\x1b[2J";

async function frame(redis: Awaited<ReturnType<Parameters<Command["run"]>[0]["redis"]>>) {
  const names = (await listQueues(redis)).sort();
  return Promise.all(
    names.map(async (name) => {
      const queue = new Queue(name, { connection: redis });
      const [stats, health] = await Promise.all([queue.stats(), queue.health()]);
      return { stats, health };
    }),
  );
}

export const watch: Command = {
  usage: "watch [--interval ms] [--frames N]",
  summary: "show every queue's counts and health, redrawn every interval until Ctrl-C",
  options: { interval: { type: "string" }, frames: { type: "string" } },
  async run(ctx) {
    const redis = await ctx.redis();
    const intervalMs = positiveInt(ctx.values.interval, "--interval", 1_000);
    const frames = positiveInt(ctx.values.frames, "--frames", Number.POSITIVE_INFINITY);
    const tty = process.stdout.isTTY === true && !ctx.out.json;
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    // Ctrl-C ends the watch normally: main() closes Redis and exits 0.
    process.once("SIGINT", () => stop());
    process.once("SIGTERM", () => stop());
    for (let drawn = 0; drawn < frames; drawn++) {
      const rows = await frame(redis);
      const at = new Date().toISOString();
      ctx.out.result({ at, queues: rows.map(({ stats, health }) => ({ ...stats, health })) }, () => {
        const table = columns([
          WATCH_COLUMNS,
          ...rows.map(({ stats: s, health: h }) => [
            s.name,
            s.paused ? `${h.status} (paused)` : h.status,
            s.pending,
            s.active,
            s.delayed,
            s.dead,
            s.workers,
            s.processed,
            s.failed,
          ]),
        ]);
        const reasons = rows.flatMap(({ health: h }) => h.reasons.map((r) => `  ${h.queue}: ${clip(r)}`));
        const body = [`queues at ${at} (every ${intervalMs} ms, Ctrl-C to stop)`, table, ...reasons].join("\n");
        return tty ? `${REDRAW}${body}` : `${body}\n`;
      });
      if (drawn + 1 >= frames) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = new Promise<"tick">((resolve) => {
        timer = setTimeout(() => resolve("tick"), intervalMs);
      });
      const outcome = await Promise.race([next, stopped.then(() => "stop" as const)]);
      clearTimeout(timer);
      if (outcome === "stop") break;
    }
  },
};

const GRACE = /^(\d+)(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "0", "3600000", "90s", "15m", "2h", "7d" -> ms. */
export function parseGrace(text: string): number {
  const match = GRACE.exec(text.trim());
  if (!match)
    throw usageError(`grace must be a duration like 3600000, 90s, 15m, 2h or 7d, got ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? "ms") as keyof typeof UNIT_MS];
}

export const clean: Command = {
  usage: "clean <queue> <grace> <completed|dead> [--limit N]",
  summary: "remove completed-history entries or dead letters older than grace (ms, or 90s, 15m, 2h, 7d)",
  options: { limit: { type: "string" } },
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const [, graceText, state] = ctx.positionals;
    if (graceText === undefined || state === undefined) throw usageError(`usage: ${this.usage}`);
    if (state !== "completed" && state !== "dead") throw usageError(`state must be completed or dead, got "${state}"`);
    const graceMs = parseGrace(graceText);
    const limit = positiveInt(stringOption(ctx.values, "limit"), "--limit", 100_000);
    const queue = new Queue(name, { connection: await ctx.redis() });
    const removed = await queue.clean(graceMs, state satisfies CleanableState, { limit });
    ctx.out.result(
      { queue: name, state, graceMs, removed },
      () => `${name}: removed ${removed} ${state} entries older than ${graceText}`,
    );
  },
};
