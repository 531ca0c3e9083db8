// Recurring jobs from cron expressions with a time zone (croner does the calendar work). Ticks are
// fired by whichever worker sees them due first; fireSchedule-3.lua makes it exactly once.
import { Cron } from "croner";
import { z } from "zod";
import type { RedisConnection } from "./connection.ts";
import { type Job, serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { fireSchedule } from "./scripts.ts";

export const scheduleInputSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "schedule name: 1-100 letters, digits, '_', '.', ':' or '-'"),
  cron: z.string().min(1).max(200),
  tz: z.string().max(64).optional(),
  job: z.object({
    type: z.string().min(1).max(100),
    to: z.string().max(320).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
});
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export interface Schedule {
  name: string;
  cron: string;
  tz?: string;
  job: { type: string; to?: string; data: Record<string, unknown> };
  createdAt: number;
  /** Null while disabled (and when the expression has no more runs). */
  nextRunAt: number | null;
  /** A disabled schedule keeps its settings and fires only by run-now. */
  disabled?: boolean;
  /** When it last enqueued a job, by its cron or by run-now; null before the first run. */
  lastRunAt?: number | null;
}

/** Next run strictly after `after`, or null when the expression has no more runs. Throws on a bad expression or zone. */
export function nextRun(cron: string, tz: string | undefined, after: number): number | null {
  const pattern = new Cron(cron, { timezone: tz, paused: true });
  const next = pattern.nextRun(new Date(after));
  return next ? next.getTime() : null;
}

export class Schedules {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
  ) {}

  async upsert(input: ScheduleInput): Promise<Schedule> {
    const parsed = scheduleInputSchema.parse(input);
    let next: number | null;
    try {
      next = nextRun(parsed.cron, parsed.tz, Date.now());
    } catch (error) {
      throw new RangeError(`invalid schedule: ${(error as Error).message}`);
    }
    const schedule: Schedule = { ...parsed, createdAt: Date.now(), nextRunAt: next };
    const multi = this.redis.multi().hset(this.keys.schedules, parsed.name, JSON.stringify(schedule));
    if (next === null) multi.zrem(this.keys.schedulesDue, parsed.name);
    else multi.zadd(this.keys.schedulesDue, next, parsed.name);
    await multi.exec();
    return schedule;
  }

  async remove(name: string): Promise<boolean> {
    const [[, removed] = [null, 0]] =
      (await this.redis
        .multi()
        .hdel(this.keys.schedules, name)
        .zrem(this.keys.schedulesDue, name)
        .hdel(this.keys.schedulesLastRun, name)
        .exec()) ?? [];
    return removed === 1;
  }

  async get(name: string): Promise<Schedule | null> {
    const [json, due, last] = await Promise.all([
      this.redis.hget(this.keys.schedules, name),
      this.redis.zscore(this.keys.schedulesDue, name),
      this.redis.hget(this.keys.schedulesLastRun, name),
    ]);
    if (json === null) return null;
    return {
      ...(JSON.parse(json) as Schedule),
      nextRunAt: due === null ? null : Number(due),
      lastRunAt: numberOr(last),
    };
  }

  /**
   * Stops (or resumes) the cron ticks, keeping the schedule. Leaving the due set is what stops it:
   * fireSchedule only fires a tick still there, so a worker racing the disable fires nothing.
   * On enable the next tick is counted from now: runs missed while disabled are not caught up.
   */
  async setDisabled(name: string, disabled: boolean): Promise<Schedule | null> {
    const found = await this.get(name);
    if (!found) return null;
    const { nextRunAt: _next, lastRunAt: _last, ...stored } = found;
    const next = disabled ? null : nextRun(found.cron, found.tz, Date.now());
    const updated = { ...stored, disabled };
    const multi = this.redis.multi().hset(this.keys.schedules, name, JSON.stringify(updated));
    if (next === null) multi.zrem(this.keys.schedulesDue, name);
    else multi.zadd(this.keys.schedulesDue, next, name);
    await multi.exec();
    return { ...updated, nextRunAt: next, lastRunAt: found.lastRunAt ?? null };
  }

  /** Enqueues the schedule's job once now, disabled or not; its cron ticks carry on unchanged. */
  async runNow(name: string, now = Date.now()): Promise<{ jobId: string } | null> {
    const found = await this.get(name);
    if (!found) return null;
    // Its own id space: a manual run never takes the id of a cron tick (`name:dueAt`).
    const job = scheduledJob(found, `${name}:manual:${now}`);
    await this.redis
      .multi()
      .rpush(this.keys.pending, serializeJob(job))
      .hset(this.keys.schedulesLastRun, name, String(now))
      .exec();
    return { jobId: job.id };
  }

  async list(): Promise<Schedule[]> {
    const [all, due, last] = await Promise.all([
      this.redis.hgetall(this.keys.schedules),
      this.redis.zrange(this.keys.schedulesDue, 0, -1, "WITHSCORES"),
      this.redis.hgetall(this.keys.schedulesLastRun),
    ]);
    const nextByName = new Map<string, number>();
    for (let i = 0; i < due.length; i += 2) nextByName.set(due[i] as string, Number(due[i + 1]));
    return Object.values(all)
      .map((json) => JSON.parse(json) as Schedule)
      .map((s) => ({ ...s, nextRunAt: nextByName.get(s.name) ?? null, lastRunAt: numberOr(last[s.name] ?? null) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Fires every due tick; returns how many this caller enqueued. */
  async fireDue(now = Date.now()): Promise<number> {
    const due = await this.redis.zrangebyscore(this.keys.schedulesDue, "-inf", now, "WITHSCORES", "LIMIT", 0, 100);
    let fired = 0;
    for (let i = 0; i < due.length; i += 2) {
      const name = due[i] as string;
      const dueAt = Number(due[i + 1]);
      const json = await this.redis.hget(this.keys.schedules, name);
      if (!json) {
        await this.redis.zrem(this.keys.schedulesDue, name);
        continue;
      }
      const schedule = JSON.parse(json) as Schedule;
      // A missed window (all workers down) fires once, then resumes from now: no burst of catch-up runs.
      const following = nextRun(schedule.cron, schedule.tz, Math.max(now, dueAt));
      const job = scheduledJob(schedule, `${name}:${dueAt}`);
      const ok = await fireSchedule(this.redis, {
        due: this.keys.schedulesDue,
        schedules: this.keys.schedules,
        pending: this.keys.pending,
        name,
        expectedDueAt: dueAt,
        nextDueAt: following ?? Number.MAX_SAFE_INTEGER,
        payload: serializeJob(job),
      });
      if (ok) {
        fired++;
        // Only the caller that fired the tick writes it; a display value, so not in the script.
        await this.redis.hset(this.keys.schedulesLastRun, name, String(now));
      }
    }
    return fired;
  }
}

function scheduledJob(schedule: Schedule, id: string): Job {
  const job: Job = { id, type: schedule.job.type, data: schedule.job.data, attempts: 0, schedule: schedule.name };
  if (schedule.job.to !== undefined) job.to = schedule.job.to;
  return job;
}

function numberOr(text: string | null): number | null {
  const n = text === null ? Number.NaN : Number(text);
  return Number.isFinite(n) ? n : null;
}
