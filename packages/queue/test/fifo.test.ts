import { describe, expect, it } from "vitest";
import { Fifo } from "../src/fifo.ts";

describe("fifo (the worker's read-ahead)", () => {
  it("hands items out in order across refills and compactions", () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    // Refill before it runs dry, as the worker does: the taken slots pile up and get compacted.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) fifo.push(next++);
      while (fifo.length > 100) out.push(fifo.shift() as number);
    }
    expect(fifo.length).toBe(100);
    expect(fifo.toArray()).toEqual(Array.from({ length: 100 }, (_, i) => next - 100 + i));
    while (fifo.length > 0) out.push(fifo.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
  });

  it("takes everything or keeps some, in order", () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 10; i++) fifo.push(i);
    fifo.shift();
    fifo.retain((n) => n % 2 === 0);
    expect(fifo.toArray()).toEqual([2, 4, 6, 8]);
    expect(fifo.takeAll()).toEqual([2, 4, 6, 8]);
    expect(fifo.length).toBe(0);
    fifo.push(11);
    expect(fifo.shift()).toBe(11);
  });
});
