// SMS length in segments, as carriers bill it. GSM-7 fits 160 units in one message and 153 per
// part of a long one; the extension table (^{}\[~]|€ and form feed) costs two units and is
// never split across parts. Anything outside GSM-7 switches the whole message to UCS-2: 70 code
// units alone, 67 per part, surrogate pairs kept whole.

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("^{}\\[~]|€\f");

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentInfo {
  encoding: SmsEncoding;
  /** GSM-7 septets or UCS-2 code units. */
  units: number;
  segments: number;
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return false;
  }
  return true;
}

function pack(sizes: number[], single: number, part: number): number {
  const units = sizes.reduce((sum, size) => sum + size, 0);
  if (units <= single) return units === 0 ? 0 : 1;
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function countSegments(text: string): SegmentInfo {
  const chars = Array.from(text);
  if (isGsm7(text)) {
    const sizes = chars.map((char) => (GSM7_EXTENSION.has(char) ? 2 : 1));
    return { encoding: "GSM-7", units: sizes.reduce((a, b) => a + b, 0), segments: pack(sizes, 160, 153) };
  }
  const sizes = chars.map((char) => char.length);
  return { encoding: "UCS-2", units: text.length, segments: pack(sizes, 70, 67) };
}
