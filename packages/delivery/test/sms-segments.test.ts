import { describe, expect, it } from "vitest";
import { countSegments, isGsm7 } from "../src/templates/sms-segments.ts";

describe("SMS segment counting", () => {
  it.each([
    ["", "GSM-7", 0, 0],
    ["a".repeat(160), "GSM-7", 160, 1],
    ["a".repeat(161), "GSM-7", 161, 2],
    ["a".repeat(306), "GSM-7", 306, 2],
    ["a".repeat(307), "GSM-7", 307, 3],
    ["€".repeat(80), "GSM-7", 160, 1],
    ["{".repeat(81), "GSM-7", 162, 2],
    ["é£$@ü", "GSM-7", 5, 1],
    ["ä".repeat(70), "GSM-7", 70, 1],
    ["₹".repeat(70), "UCS-2", 70, 1],
    ["₹".repeat(71), "UCS-2", 71, 2],
    ["₹".repeat(134), "UCS-2", 134, 2],
    ["₹".repeat(135), "UCS-2", 135, 3],
    ["नमस्ते", "UCS-2", 6, 1],
  ] as const)("%#: %s", (text, encoding, units, segments) => {
    expect(countSegments(text)).toEqual({ encoding, units, segments });
  });

  it("never splits an extension character across parts", () => {
    // 152 plain + one escape pair would straddle the 153-unit boundary: it moves to part two.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(countSegments(text)).toEqual({ encoding: "GSM-7", units: 306, segments: 3 });
  });

  it("never splits a surrogate pair across parts", () => {
    const text = `${"₹".repeat(66)}😀${"₹".repeat(66)}`;
    expect(countSegments(text)).toMatchObject({ encoding: "UCS-2", units: 134, segments: 3 });
  });

  it("a single non-GSM character switches the whole message to UCS-2", () => {
    expect(isGsm7("Your code is 1234")).toBe(true);
    expect(isGsm7("Your code is 1234 ✓")).toBe(false);
    expect(countSegments(`${"a".repeat(100)}✓`)).toEqual({ encoding: "UCS-2", units: 101, segments: 2 });
  });
});
