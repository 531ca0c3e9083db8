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
  nextRunAt: number | null;
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
      (await this.redis.multi().hdel(this.keys.schedules, name).zrem(this.keys.schedulesDue, name).exec()) ?? [];
    return removed === 1;
  }

  async list(): Promise<Schedule[]> {
    const [all, due] = await Promise.all([
      this.redis.hgetall(this.keys.schedules),
      this.redis.zrange(this.keys.schedulesDue, 0, -1, "WITHSCORES"),
    ]);
    const nextByName = new Map<string, number>();
    for (let i = 0; i < due.length; i += 2) nextByName.set(due[i] as string, Number(due[i + 1]));
    return Object.values(all)
      .map((json) => JSON.parse(json) as Schedule)
      .map((s) => ({ ...s, nextRunAt: nextByName.get(s.name) ?? null }))
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
      const job: Job = {
        id: `${name}:${dueAt}`,
        type: schedule.job.type,
        data: schedule.job.data,
        attempts: 0,
        schedule: name,
      };
      if (schedule.job.to !== undefined) job.to = schedule.job.to;
      const ok = await fireSchedule(this.redis, {
        due: this.keys.schedulesDue,
        schedules: this.keys.schedules,
        pending: this.keys.pending,
        name,
        expectedDueAt: dueAt,
        nextDueAt: following ?? Number.MAX_SAFE_INTEGER,
        payload: serializeJob(job),
      });
      if (ok) fired++;
    }
    return fired;
  }
}
