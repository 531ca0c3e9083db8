// Tracking tokens for the open pixel (/t/o/:token) and click redirects (/t/c/:token). The email
// worker makes them and the API reads them with this one copy, so the format cannot drift.
//
// Format "v2.<base64url(iv | ciphertext | tag)>": the payload is encrypted with AES-256-GCM under a
// key derived from TRACKING_SECRET (HKDF-SHA256), so a token neither reveals the recipient's
// address nor can be changed (the tag covers the click target: never an open redirect). Each
// token carries an expiry (`e`, default 90 days after issue); the reader may also refuse tokens
// older than its own maximum age. Tokens of the first format (base64url JSON "." HMAC) in mail
// already sent are still honoured, within the same maximum age.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export interface TrackingPayload {
  /** "o" = open, "c" = click, "u" = unsubscribe from category `g`. */
  k: "o" | "c" | "u";
  /** Email job id. */
  j: string;
  /** Recipient address. */
  r: string;
  /** Batch id, when the email belongs to a batch. */
  b?: string;
  /** Click target (absolute http(s) URL); clicks only. */
  u?: string;
  /** The category an unsubscribe token is for; unsubscribe tokens only. */
  g?: string;
  /** Issued at, ms since epoch. */
  t: number;
  /** Expires at, ms since epoch (set when signing). */
  e?: number;
}

/** How long a token is honoured unless the signer or the reader says otherwise. */
export const DEFAULT_TRACKING_TOKEN_TTL_MS = 90 * 86_400_000;

const VERSION = "v2";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from("notify tracking token v2");
const MAX_TOKEN_LENGTH = 4096;

const keys = new Map<string, Buffer>();

/** The AES key of a secret, derived once: a token never uses the secret itself. */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "notify-tracking", "aes-256-gcm token key", 32));
    if (keys.size > 16) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function signature(secret: string, body: string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/** Encrypts the payload; `ttlMs` sets its expiry after `t` (default 90 days). */
export function signTrackingToken(
  payload: TrackingPayload,
  secret: string,
  { ttlMs = DEFAULT_TRACKING_TOKEN_TTL_MS }: { ttlMs?: number } = {},
): string {
  const sealed: TrackingPayload = { ...payload, e: payload.e ?? payload.t + ttlMs };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyOf(secret), iv);
  cipher.setAAD(AAD);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(sealed), "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64url")}`;
}

export interface VerifyOptions {
  /** Now, ms since epoch (tests). */
  now?: number;
  /** Refuse tokens issued longer ago than this, whatever their own expiry says. */
  maxAgeMs?: number;
}

function decryptV2(blob: string, secret: string): unknown {
  const bytes = Buffer.from(blob, "base64url");
  // Only the canonical spelling: base64url decoders ignore the low bits of the last character.
  if (bytes.toString("base64url") !== blob || bytes.length < IV_BYTES + TAG_BYTES + 2) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyOf(secret), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(AAD);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString("utf8"));
  } catch {
    return null;
  }
}

function verifyV1(token: string, secret: string): unknown {
  const dot = token.indexOf(".");
  if (dot < 1 || dot !== token.lastIndexOf(".")) return null;
  const body = token.slice(0, dot);
  // Compared as text, so only the canonical spelling of the signature passes.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signature(secret, body).toString("base64url"));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

/** Returns the payload of a genuine, unexpired token, or null for anything forged, expired or malformed. */
export function verifyTrackingToken(
  token: string,
  secret: string,
  options: VerifyOptions = {},
): TrackingPayload | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const payload = token.startsWith(`${VERSION}.`)
    ? decryptV2(token.slice(VERSION.length + 1), secret)
    : verifyV1(token, secret);
  if (!isPayload(payload)) return null;
  const now = options.now ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_TRACKING_TOKEN_TTL_MS;
  if (payload.e !== undefined && now > payload.e) return null;
  if (now - payload.t > maxAgeMs) return null;
  return payload;
}

function isPayload(value: unknown): value is TrackingPayload {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  if (p.k !== "o" && p.k !== "c" && p.k !== "u") return false;
  if (typeof p.j !== "string" || typeof p.r !== "string" || typeof p.t !== "number") return false;
  if (p.b !== undefined && typeof p.b !== "string") return false;
  if (p.e !== undefined && typeof p.e !== "number") return false;
  if (p.k === "u") return typeof p.g === "string" && p.g.length <= 40 && p.u === undefined;
  if (p.g !== undefined) return false;
  if (p.k === "c") return typeof p.u === "string" && safeClickUrl(p.u) !== null;
  return p.u === undefined;
}

/** Whitespace, control and format characters (CR, LF, NUL, bidi, zero-width), backslashes. */
const UNSAFE_CHARACTERS = /[\s\p{Cc}\p{Cf}\\]/u;

/**
 * The click target as it goes into Location: parsed and re-serialized, absolute http(s) with a
 * host and no credentials, or null. The raw text must already be `http(s)://host...`: URL parsers
 * "repair" `http:evil.com`, `https:\\evil.com` or `//evil.com` into another host than a reader sees.
 */
export function safeClickUrl(raw: string): string | null {
  if (raw.length > 2048 || UNSAFE_CHARACTERS.test(raw) || !/^https?:\/\/[^/]/i.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!url.hostname || url.username || url.password) return null;
  return url.href;
}
