import { describe, expect, it } from "vitest";
import { jsonTextDepth, valueDepth } from "../src/json-bounds.ts";

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
});
