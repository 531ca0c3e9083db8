import { describe, expect, it } from "vitest";
import { bucketMinutes } from "../app/components/chart.tsx";
import { fillDays } from "../app/lib/history.ts";
import { jsonPreview } from "../app/lib/json-text.ts";
import { maskText } from "../app/lib/masking.ts";

describe("masking personal data", () => {
  it("masks addresses and phone numbers wherever they appear", () => {
    expect(maskText("to ann.smith@example.com now")).toBe("to a******@example.com now");
    expect(maskText("+919876543210")).toBe("+91********10");
    const masked = jsonPreview(
      { to: "bob@example.org", data: { phones: ["+14155550123"], amount: 12 } },
      { mask: true },
    );
    expect(JSON.parse(masked.text)).toEqual({
      to: "b**@example.org",
      data: { phones: ["+14*******23"], amount: 12 },
    });
  });

  it("leaves short numbers such as amounts and OTPs alone", () => {
    expect(maskText("amount 1499.00, otp 482913")).toBe("amount 1499.00, otp 482913");
  });
});

describe("chart series", () => {
  it("buckets minutes ending now and keeps empty buckets", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const at = (m: number) => Date.UTC(2026, 0, 1, 12, m);
    const points = bucketMinutes(
      [
        { at: at(0), processed: 3, failed: 1 },
        { at: at(0) - 14 * 60_000, processed: 2, failed: 0 },
      ],
      { minutes: 60, bucketMinutes: 15, now },
    );
    expect(points).toHaveLength(4);
    expect(points[3]).toMatchObject({ processed: 5, failed: 1 });
    expect(points[0]).toMatchObject({ processed: 0, failed: 0 });
  });

  it("fills 90 days, oldest first, with zeros for quiet days", () => {
    const days = fillDays([{ day: "2026-01-01", processed: 4, failed: 1 }], {
      days: 90,
      now: Date.UTC(2026, 0, 1, 18),
    });
    expect(days).toHaveLength(90);
    expect(days.at(-1)).toEqual({ day: "2026-01-01", processed: 4, failed: 1 });
    expect(days[0]?.processed).toBe(0);
  });
});
