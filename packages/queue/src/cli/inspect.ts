// Read-only commands: stats (one queue or all), peek (first N pending, seed 000's status), export.
import { evictionWarning, jobCreatedAt, listQueues, Queue, type QueueStats, redisInfo } from "../index.ts";
import { emailEventCounts } from "../notifications/email-event-stats.ts";
import { EMAIL_EVENTS_QUEUE } from "../notifications/email-events.ts";
import { type Command, positiveInt, requireQueue } from "./command.ts";
import { clip, columns, formatTime } from "./output.ts";

const STATS_COLUMNS = ["queue", "state", "pending", "active", "delayed", "dead", "workers", "processed", "failed"];

function statsRow(s: QueueStats): (string | number)[] {
  const state = s.paused ? "paused" : "running";
  const name = s.partitions > 1 ? `${s.name} (${s.partitions} partitions)` : s.name;
  return [name, state, s.pending, s.active, s.delayed, s.dead, s.workers, s.processed, s.failed];
}

export const stats: Command = {
  usage: "stats [queue]",
  summary: "counts per state and totals, for one queue or every known queue",
  async run(ctx) {
    const redis = await ctx.redis();
    const name = ctx.positionals[0];
    // An evicting policy drops queued jobs under memory pressure: every stats run says so, on stderr.
    const info = await redisInfo(redis);
    const warning = evictionWarning(info);
    if (warning) process.stderr.write(`WARNING: ${warning}\n`);
    if (name) {
      const queue = await Queue.open(name, { connection: redis });
      const [s, workers, failures, eventCounts] = await Promise.all([
        queue.stats(),
        queue.workers(),
        queue.recentFailures(5),
        // The events worker's queue also reports the events it counted, by type (seed 000).
        name === EMAIL_EVENTS_QUEUE ? emailEventCounts(redis) : undefined,
      ]);
      const extra = eventCounts ? { eventCounts } : {};
      ctx.out.result({ ...s, ...extra, workerList: workers, recentFailures: failures }, () => {
        const lines = [columns([STATS_COLUMNS, statsRow(s)])];
        if (s.paused) lines.push(`paused: ${s.pausedReason ?? ""}`);
        lines.push(
          `retried ${s.retried}, dead-lettered ${s.deadLettered}, recovered ${s.recovered}, duplicates ${s.duplicates}, schedules ${s.schedules}`,
        );
        if (eventCounts)
          lines.push(
            `events ${Object.entries(eventCounts)
              .map(([type, count]) => `${type} ${count}`)
              .join(", ")}`,
          );
        for (const w of workers)
          lines.push(
            `worker ${w.id} on ${w.host} pid ${w.pid}: ${w.jobs.length}/${w.concurrency} busy, lease until ${formatTime(w.leaseUntil)}`,
          );
        for (const f of failures)
          lines.push(
            `failed ${formatTime(f.at)} ${f.id} ${f.type ?? "?"} attempt ${f.attempts}${f.final ? " (final)" : ""}: ${clip(f.error)}`,
          );
        return lines.join("\n");
      });
      return;
    }
    const names = await listQueues(redis);
    const all = await Promise.all(names.map(async (n) => (await Queue.open(n, { connection: redis })).stats()));
    ctx.out.result({ queues: all, redis: info }, () => {
      const table = all.length > 0 ? columns([STATS_COLUMNS, ...all.map(statsRow)]) : "no queues yet";
      return `${table}\nredis ${info.version}: ${info.usedMemoryHuman} used, ${info.keys} keys, ${info.connectedClients} clients`;
    });
  },
};

export const peek: Command = {
  usage: "peek <queue> [n=5]",
  summary: "the first n pending jobs, in the order workers will take them",
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const count = positiveInt(ctx.positionals[1], "n", 5);
    const redis = await ctx.redis();
    const jobs = await (await Queue.open(name, { connection: redis })).peek(count);
    ctx.out.result(jobs, () => {
      if (jobs.length === 0) return `${name}: no pending jobs`;
      const rows = jobs.map(({ job, raw }) =>
        job
          ? [
              job.id,
              job.type,
              job.to ?? "-",
              String(job.attempts),
              formatTime(jobCreatedAt(job) ?? undefined),
              clip(JSON.stringify(job.data), 60),
            ]
          : ["(unparseable)", "-", "-", "-", "-", clip(raw, 60)],
      );
      return columns([["id", "type", "to", "attempts", "created", "data"], ...rows]);
    });
  },
};

async function writeLine(line: string): Promise<void> {
  // Respect backpressure so exporting a deep queue into a slow pipe keeps memory flat.
  if (!process.stdout.write(`${line}\n`)) await new Promise((r) => process.stdout.once("drain", r));
}

export const exportJobs: Command = {
  usage: "export <queue>",
  summary: "every job of the queue (pending, active, delayed, dead, recent completed) as JSON lines on stdout",
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const redis = await ctx.redis();
    let count = 0;
    for await (const line of (await Queue.open(name, { connection: redis })).export()) {
      await writeLine(line);
      count++;
    }
    process.stderr.write(`exported ${count} jobs from ${name}\n`);
  },
};
