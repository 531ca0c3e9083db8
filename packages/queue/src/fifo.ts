// A first-in first-out queue with an O(1) shift, for the worker's read-ahead. Array.prototype.shift
// moves every remaining element: with a few hundred jobs read ahead that cost about half a
// microsecond a job under Bun.

/** Past this many taken slots (and half the array), the taken slots are dropped in one copy. */
const COMPACT_AT = 1_024;

export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // the queue holds no reference to what it handed out
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT && 2 * this.head >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Everything queued, in order. */
  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  /** Empties the queue and returns what it held, in order. */
  takeAll(): T[] {
    const all = this.toArray();
    this.items = [];
    this.head = 0;
    return all;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.toArray().filter(keep);
    this.head = 0;
  }
}
