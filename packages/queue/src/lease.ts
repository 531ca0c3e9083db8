// A worker's lease: the heartbeat that proves to every other worker that this one is alive, and
// the fence that stops it once it is not.
//
// The lease lives in Redis (the workers zset, scored by Redis's own clock). Locally the worker
// trusts it only while its last confirmed heartbeat is recent: after any gap longer than half the
// lease (a freeze, a stalled event loop, Redis refusing or not answering), it starts and claims
// nothing until a heartbeat confirms the lease again. A lease that was taken (another worker
// rescued our jobs) is never renewed: the worker begins a new epoch under a new id with fresh
// keys, so acks, retries and claims still in flight under the old epoch touch nothing the rescuer
// holds.
import type { RedisConnection } from "./connection.ts";
import { errorMessage } from "./errors.ts";
import type { QueueKeys } from "./keys.ts";
import { type Holder, heartbeat } from "./scripts.ts";
import type { WorkerSettings } from "./worker-settings.ts";

/** Past this share of the lease without a confirmed heartbeat, the worker holds still. */
export const SAFE_LEASE_FRACTION = 0.5;

export type BeatOutcome =
  | { kind: "renewed"; pausedReason: string | null }
  /** The lease had been taken: `previous` is the fenced epoch; the next beat registers a new one. */
  | { kind: "lost"; pausedReason: string | null; previous: Holder }
  | { kind: "failed"; error: string };

export class Lease {
  private epoch = 0;
  private current: Holder;
  /** Local time at which the last heartbeat that Redis confirmed was sent. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private beating: Promise<BeatOutcome> | null = null;
  private registered = false;
  private retired = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly baseId: string,
    private readonly settings: Pick<WorkerSettings, "leaseMs">,
    /** The descriptive record shown in stats, read at each beat. */
    private readonly describe: () => Record<string, string | number>,
  ) {
    this.current = this.holderFor(0);
  }

  get holder(): Holder {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  /** True while the lease is surely alive in Redis, judged by our own clock. */
  isSafe(now = Date.now()): boolean {
    return now - this.confirmedAt < this.settings.leaseMs * SAFE_LEASE_FRACTION;
  }

  /** Forget the last confirmation: Redis said the lease is not live (a fenced claim). */
  distrust(): void {
    this.confirmedAt = Number.NEGATIVE_INFINITY;
  }

  /** One heartbeat; concurrent callers share the one in flight. Never throws. */
  beat(): Promise<BeatOutcome> {
    this.beating ??= this.renew().finally(() => {
      this.beating = null;
    });
    return this.beating;
  }

  /** The first heartbeat: resolves once the lease is held, throws when Redis cannot be reached. */
  async register(): Promise<void> {
    const outcome = await this.beat();
    if (outcome.kind === "failed") throw new Error(outcome.error);
  }

  /** A closing worker takes no new epoch after a loss: there is nothing left for it to hold. */
  retire(): void {
    this.retired = true;
  }

  /** Removes the lease: only when nothing is held under it any more (see Worker.close). */
  async release(): Promise<void> {
    await this.redis.multi().zrem(this.keys.workers, this.id).del(this.keys.workerInfo(this.id)).exec();
  }

  private async renew(): Promise<BeatOutcome> {
    if (this.retired && !this.registered) return { kind: "failed", error: "the worker is closing" };
    const sentAt = Date.now();
    const holder = this.current;
    try {
      const { pausedReason, lost } = await heartbeat(this.redis, {
        workers: this.keys.workers,
        info: this.keys.workerInfo(holder.id),
        meta: this.keys.meta,
        workerId: holder.id,
        leaseMs: this.settings.leaseMs,
        infoTtlSeconds: Math.ceil((this.settings.leaseMs * 3) / 1000),
        firstBeat: !this.registered,
        fields: this.describe(),
      });
      if (!lost) {
        this.registered = true;
        this.confirmedAt = sentAt;
        return { kind: "renewed", pausedReason };
      }
      // Fenced for good: the next beat registers a new epoch, and nothing starts until it does.
      this.current = this.holderFor(++this.epoch);
      this.registered = false;
      this.confirmedAt = Number.NEGATIVE_INFINITY;
      return { kind: "lost", pausedReason, previous: holder };
    } catch (error) {
      return { kind: "failed", error: errorMessage(error) };
    }
  }

  private holderFor(epoch: number): Holder {
    const id = epoch === 0 ? this.baseId : `${this.baseId}.${epoch}`;
    return { id, active: this.keys.active(id), landing: this.keys.landing(id) };
  }
}
