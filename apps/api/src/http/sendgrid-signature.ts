// SendGrid Signed Event Webhook: ECDSA P-256 / SHA-256 over `timestamp + raw body`, signature in
// base64 DER, public key as shown in SendGrid's settings (base64 DER SubjectPublicKeyInfo).
// Verified with node:crypto, which does the same as @sendgrid/eventwebhook without its extra dependency.
import { createPublicKey, type KeyObject, verify } from "node:crypto";

export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

const keys = new Map<string, KeyObject>();

export function sendgridPublicKey(base64OrPem: string): KeyObject {
  let key = keys.get(base64OrPem);
  if (!key) {
    key = base64OrPem.includes("BEGIN PUBLIC KEY")
      ? createPublicKey(base64OrPem)
      : createPublicKey({ key: Buffer.from(base64OrPem, "base64"), format: "der", type: "spki" });
    keys.set(base64OrPem, key);
  }
  return key;
}

export function verifySendgridSignature(options: {
  publicKey: string;
  rawBody: Uint8Array;
  signature: string;
  timestamp: string;
}): boolean {
  try {
    const signed = Buffer.concat([Buffer.from(options.timestamp, "utf8"), options.rawBody]);
    return verify("sha256", signed, sendgridPublicKey(options.publicKey), Buffer.from(options.signature, "base64"));
  } catch {
    // Malformed key or signature encoding: not a valid signature.
    return false;
  }
}
