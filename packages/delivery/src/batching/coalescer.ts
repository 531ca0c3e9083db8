// Gathers items that arrive separately (one per job the worker is running) into groups by key,
// and hands each group to `flush` once it is full or the first item has waited `lingerMs`. Each
// item's promise settles with its own result, so every job still acks, retries or dead-letters
// by itself. Nothing is held here that is not also held by a running job in Redis: a crash loses
// no item, it only re-runs the jobs as any crash does.

export interface CoalescerOptions {
  maxSize: number;
  /** 0: a group takes what arrives in the same event-loop turn (flushed by setImmediate). */
  lingerMs: number;
}

interface Group<I, O> {
  items: I[];
  settle: { resolve: (output: O) => void; reject: (error: unknown) => void }[];
  cancel: () => void;
}

export class Coalescer<I, O> {
  private readonly groups = new Map<string, Group<I, O>>();

  constructor(
    private readonly flush: (key: string, items: I[]) => Promise<O[]>,
    private readonly options: CoalescerOptions,
  ) {
    if (!(options.maxSize >= 1)) throw new RangeError("a coalescer needs maxSize >= 1");
  }

  add(key: string, item: I): Promise<O> {
    let group = this.groups.get(key);
    if (!group) {
      group = { items: [], settle: [], cancel: () => {} };
      this.groups.set(key, group);
      const started = group;
      if (this.options.lingerMs > 0) {
        const timer = setTimeout(() => this.run(key, started), this.options.lingerMs);
        group.cancel = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(() => this.run(key, started));
        group.cancel = () => clearImmediate(immediate);
      }
    }
    const result = new Promise<O>((resolve, reject) => group.settle.push({ resolve, reject }));
    group.items.push(item);
    if (group.items.length >= this.options.maxSize) this.run(key, group);
    return result;
  }

  private run(key: string, group: Group<I, O>): void {
    if (this.groups.get(key) !== group) return;
    this.groups.delete(key);
    group.cancel();
    this.flush(key, group.items).then(
      (outputs) =>
        group.settle.forEach(({ resolve, reject }, index) => {
          if (index < outputs.length) resolve(outputs[index] as O);
          else reject(new Error("batch flush returned fewer results than items"));
        }),
      (error: unknown) => {
        for (const { reject } of group.settle) reject(error);
      },
    );
  }
}
