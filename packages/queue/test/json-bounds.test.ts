import { describe, expect, it } from "vitest";
import { parseRawJob } from "../src/job.ts";
import { jsonTextDepth, nestsDeeperThan, valueDepth } from "../src/json-bounds.ts";

describe("json bounds", () => {
  it("counts nesting in text outside strings, escapes included", () => {
    expect(jsonTextDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonTextDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonTextDepth("42")).toBe(0);
  });

  it("stops at the limit on a payload nested 300,000 levels deep, without recursion", () => {
    const deep = `${"[".repeat(300_000)}${"]".repeat(300_000)}`;
    expect(jsonTextDepth(deep, 64)).toBe(65);
    let value: unknown = 1;
    for (let i = 0; i < 300_000; i++) value = [value];
    expect(valueDepth(value, 64)).toBe(65);
  });

  it("measures parsed values", () => {
    expect(valueDepth({ a: { b: [1, { c: 2 }] } })).toBe(4);
    expect(valueDepth("x")).toBe(0);
  });

  it("tells whether a parsed value is deeper than the limit, at the limit exactly", () => {
    const nested = (levels: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = i % 2 ? { k: value } : [value];
      return value;
    };
    expect(nestsDeeperThan(nested(64), 64)).toBe(false);
    expect(nestsDeeperThan(nested(65), 64)).toBe(true);
    expect(nestsDeeperThan(nested(300_000), 64)).toBe(true);
    expect(nestsDeeperThan("x", 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
  });

  // The worker's parse checks its own envelopes' depth after JSON.parse, everything else before.
  it("refuses jobs nested past the limit, whatever their spelling", () => {
    const job = (data: string) => `{"id":"j1","type":"t","data":${data}}`;
    const deepData = (levels: number) => `{"a":${"[".repeat(levels)}1${"]".repeat(levels)}}`;
    // Envelope and data are two levels: 62 more arrays reach 64 exactly.
    expect(parseRawJob(job(deepData(62))).ok).toBe(true);
    for (const raw of [
      job(deepData(63)),
      job(deepData(100_000)), // 200 KB: under the size limit
      job(deepData(100_000).slice(0, -1)), // malformed and deep: the depth is the reason
      ` ${job(deepData(63))}`, // not our own spelling: checked on the text
    ]) {
      const parsed = parseRawJob(raw);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toBe("invalid job: nested deeper than 64 levels");
    }
  });
});
