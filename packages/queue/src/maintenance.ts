// The chores every worker shares, on a timer: promoting due delayed jobs, firing recurring ones,
// freeing old de-duplication sets and rescuing the jobs of workers whose lease expired. No
// scheduler process: whichever worker gets there first does each chore, atomically.
import type { RedisConnection } from "./connection.ts";
import { errorMessage } from "./errors.ts";
import type { QueueKeys } from "./keys.ts";
import type { Logger } from "./logger.ts";
import type { OutcomeWriter } from "./outcomes.ts";
import { recoverExpiredWorkers } from "./recovery.ts";
import { Schedules } from "./schedules.ts";
import { type Holder, promoteDelayed } from "./scripts.ts";
import { doneBucket } from "./time-buckets.ts";
import type { WorkerSettings } from "./worker-settings.ts";

export const MAINTENANCE_MS = 1_000;
const PROMOTE_LIMIT = 1_000;

export interface MaintenanceDeps {
  redis: RedisConnection;
  keys: QueueKeys;
  settings: WorkerSettings;
  outcomes: OutcomeWriter;
  log: Logger;
  /** The worker's current epoch, or null while its lease is not confirmed (then it rescues nobody). */
  holder: () => Holder | null;
}

export class Maintenance {
  private readonly schedules: Schedules;
  private timer: NodeJS.Timeout | null = null;
  private promoteTimer: NodeJS.Timeout | null = null;
  private doneBucketSeen = -1;
  private stopped = false;

  constructor(private readonly deps: MaintenanceDeps) {
    this.schedules = new Schedules(deps.redis, deps.keys);
  }

  start(): void {
    this.timer = setInterval(() => void this.run(), MAINTENANCE_MS + Math.floor(Math.random() * 200));
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.promoteTimer) clearTimeout(this.promoteTimer);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const { redis, keys, settings, outcomes, log } = this.deps;
    try {
      await this.promote();
      await this.schedules.fireDue();
      await this.dropStaleDoneSet();
      const holder = this.deps.holder();
      if (holder) {
        await recoverExpiredWorkers({ redis, keys, holder, outcomes, policy: settings, log });
      }
    } catch (error) {
      log.warn({ queue: keys.name, err: errorMessage(error) }, "maintenance failed; will try again");
    }
  }

  /**
   * The delivered-id set of two windows back is no longer read, but its TTL keeps it a window
   * longer, and Redis frees an expiring key in its main thread: at 1,000 jobs a second that is a
   * set of 600,000 ids and a pause of tens of milliseconds. UNLINK frees it in the background,
   * once per window per worker.
   */
  private async dropStaleDoneSet(): Promise<void> {
    const bucket = doneBucket(Date.now(), this.deps.settings.dedupeWindowMs);
    if (bucket === this.doneBucketSeen) return;
    await this.deps.redis.unlink(this.deps.keys.done(bucket - 2));
    this.doneBucketSeen = bucket;
  }

  private async promote(): Promise<void> {
    const { promoted, nextDueAt } = await promoteDelayed(this.deps.redis, {
      delayed: this.deps.keys.delayed,
      pending: this.deps.keys.pending,
      prioritized: this.deps.keys.prioritized,
      now: Date.now(),
      limit: PROMOTE_LIMIT,
    });
    if (this.stopped) return;
    // Sooner than the next tick: wake up exactly when the next delayed job is due.
    const wait = promoted === PROMOTE_LIMIT ? 0 : nextDueAt === null ? null : nextDueAt - Date.now();
    if (wait !== null && wait < MAINTENANCE_MS) {
      if (this.promoteTimer) clearTimeout(this.promoteTimer);
      this.promoteTimer = setTimeout(() => void this.promote().catch(() => {}), Math.max(0, wait) + 1);
    }
  }
}
