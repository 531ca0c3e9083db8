// The faults of the chaos run beyond kill -9, and what each one costs: which jobs the victim held
// when it struck (the only ones that may run twice: those whose send had started; the rest were
// read ahead and never ran) and, for kills, how long until the killed worker's jobs ran again.
import type { Queue } from "@notify/queue";
import { atMaxmemory, type ProviderStandIn, waitFor } from "@notify/testing";
import type { WorkerProcess } from "./worker-process.ts";

export interface VictimSnapshot {
  workerId: string;
}

const RECOVERY_WATCH_MS = 60_000;

export class Faults {
  /** Jobs the victims held at their faults: running, awaiting their ack, or read ahead. */
  heldAtFaults = 0;
  /** Of those, jobs the provider had already accepted when the fault struck: they run twice. */
  sentBeforeFault = 0;
  longestRecoveryMs = 0;
  private readonly watches: Promise<void>[] = [];

  constructor(
    private readonly queue: Queue,
    private readonly standIn: ProviderStandIn,
  ) {}

  /** The victim's lease id and how busy it was, read just before the fault. */
  async snapshot(victim: WorkerProcess): Promise<VictimSnapshot | null> {
    const info = (await this.queue.workers()).find((w) => w.pid === victim.child.pid && w.alive);
    return info ? { workerId: info.id } : null;
  }

  /** What the victim held when the fault struck at `at`; counted into the totals. */
  private async held(victim: VictimSnapshot, at: number): Promise<string[]> {
    const held = await this.queue.heldBy(victim.workerId);
    this.heldAtFaults += held.length;
    const sentBy = (id: string) => this.standIn.firstDeliveryAfter(id, 0) ?? Number.POSITIVE_INFINITY;
    this.sentBeforeFault += held.filter((id) => sentBy(id) <= at).length;
    return held;
  }

  /** After a kill: times how long until every job the dead worker held has been sent again. */
  watchRecovery(victim: VictimSnapshot): void {
    const killedAt = Date.now();
    this.watches.push(
      (async () => {
        const held = await this.held(victim, killedAt);
        let lastAt = killedAt;
        await waitFor(
          () =>
            held.every((id) => {
              const at = this.standIn.firstDeliveryAfter(id, killedAt);
              if (at !== null) lastAt = Math.max(lastAt, at);
              return at !== null;
            }),
          { timeoutMs: RECOVERY_WATCH_MS, intervalMs: 100, message: "killed worker's jobs re-run" },
        ).catch(() => {});
        this.longestRecoveryMs = Math.max(this.longestRecoveryMs, lastAt - killedAt);
      })(),
    );
  }

  /** Resolves once every recovery being timed has finished. */
  async settled(): Promise<void> {
    await Promise.all(this.watches);
  }

  /** SIGSTOP a worker until another one has taken its lease, then SIGCONT it. */
  async freeze(victim: WorkerProcess | undefined): Promise<number> {
    if (!victim) return 0;
    const found: { snapshot: VictimSnapshot | null } = { snapshot: null };
    // A worker restarted by the kill loop may not hold its lease yet.
    await waitFor(
      async () => {
        found.snapshot = await this.snapshot(victim);
        return found.snapshot !== null;
      },
      {
        timeoutMs: 30_000,
        message: "a live worker to freeze",
      },
    ).catch(() => {});
    const before = found.snapshot;
    if (!before) return 0;
    victim.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50)); // what was already on the wire lands
    await this.held(before, frozenAt);
    try {
      const leaseTaken = async () => !(await this.queue.workers()).some((w) => w.id === before.workerId);
      await waitFor(leaseTaken, {
        timeoutMs: 30_000,
        intervalMs: 100,
        message: "frozen worker's lease taken",
      });
    } finally {
      victim.child.kill("SIGCONT");
    }
    return 1;
  }

  /** Redis at maxmemory (noeviction) for `ms`: the workers must keep their leases and go on. */
  async fillRedis(url: string, ms: number): Promise<number> {
    return (await atMaxmemory(url, ms)) ? 1 : 0;
  }

  /**
   * SIGTERM the worker whose provider call outlives the grace period and ignores its abort: it
   * must exit 0 and leave the job under its lease, to be sent again once the lease expires.
   */
  async stubbornStop(
    workers: WorkerProcess[],
    respawn: () => WorkerProcess,
  ): Promise<{ ids: string[]; stops: number }> {
    const { id } = await this.queue.push({
      type: "welcome",
      to: "slow-stop@example.com",
      data: { user_name: "Slow Stop" },
    });
    await waitFor(() => this.standIn.deliveriesOf(id) > 0, { timeoutMs: 30_000, message: "slow send under way" });
    const holder = await this.queue.holderOf(id);
    const info = (await this.queue.workers()).find((w) => w.id === holder);
    const index = workers.findIndex((w) => w.child.pid === info?.pid);
    const victim = workers[index];
    if (!victim) return { ids: [id], stops: 0 };
    victim.child.kill("SIGTERM");
    const { code } = await victim.exited;
    if (code !== 0) throw new Error(`a worker stopped with SIGTERM exited ${code}`);
    // Whatever it still holds (the stubborn job) stays under its lease.
    const left = holder ? await this.queue.heldBy(holder) : [];
    this.heldAtFaults += left.length;
    this.sentBeforeFault += left.length;
    workers[index] = respawn();
    return { ids: [id], stops: 1 };
  }
}
