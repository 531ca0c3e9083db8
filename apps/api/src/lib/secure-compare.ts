import { createHash, timingSafeEqual } from "node:crypto";

// Secrets are compared as SHA-256 digests with timingSafeEqual, so neither the length of a secret
// nor the position of the first differing byte leaks through timing.

export function digest(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

export function digestEquals(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
