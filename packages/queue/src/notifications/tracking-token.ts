// Signed tracking tokens for the open pixel (/t/o/:token) and click redirects (/t/c/:token).
// Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, first part)). The signature
// covers the click target, so a token can never be turned into an open redirect. The email worker
// signs and the API verifies with this one copy, so the format cannot drift between them.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface TrackingPayload {
  /** "o" = open, "c" = click. */
  k: "o" | "c";
  /** Email job id. */
  j: string;
  /** Recipient address. */
  r: string;
  /** Batch id, when the email belongs to a batch. */
  b?: string;
  /** Click target (absolute http(s) URL); clicks only. */
  u?: string;
  /** Issued at, ms since epoch. */
  t: number;
}

function signature(secret: string, body: string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

export function signTrackingToken(payload: TrackingPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${signature(secret, body).toString("base64url")}`;
}

function isPayload(value: unknown): value is TrackingPayload {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  if (p.k !== "o" && p.k !== "c") return false;
  if (typeof p.j !== "string" || typeof p.r !== "string" || typeof p.t !== "number") return false;
  if (p.b !== undefined && typeof p.b !== "string") return false;
  if (p.k === "c") return typeof p.u === "string" && isHttpUrl(p.u);
  return p.u === undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Returns the payload of a genuine token, or null for anything forged, truncated or malformed. */
export function verifyTrackingToken(token: string, secret: string): TrackingPayload | null {
  if (token.length > 4096) return null;
  const dot = token.indexOf(".");
  if (dot < 1 || dot !== token.lastIndexOf(".")) return null;
  const body = token.slice(0, dot);
  // Compared as text, so only the canonical spelling of the signature passes (base64url decoders
  // ignore the low bits of the last character, which would make tokens malleable).
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signature(secret, body).toString("base64url"));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    return isPayload(payload) ? payload : null;
  } catch {
    return null;
  }
}
