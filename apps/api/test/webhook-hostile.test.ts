// #10 finding 11, the webhook: a correctly signed request whose timestamp is not whole seconds
// (`abc`, `0x..`, empty, floats, signs, spaces) is refused with 400 before anything is queued;
// the age check therefore always compares a real number.
import { generateKeyPairSync, sign } from "node:crypto";
import { Queue } from "@notify/queue";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

let h: Harness;
let events: Queue;
beforeAll(async () => {
  h = await startHarness({
    config: { sendgridPublicKey: keys.publicKey.export({ format: "der", type: "spki" }).toString("base64") },
  });
  events = new Queue("email_events", { connection: h.redis });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await events.clear();
});

const body = JSON.stringify([{ email: "a@example.com", event: "delivered", timestamp: 1_760_000_000, job_id: "j1" }]);

/** Posts `body` signed over exactly this timestamp text, as an attacker holding a valid signature would. */
function postSigned(timestamp: string) {
  const signature = sign("sha256", Buffer.from(timestamp + body), keys.privateKey).toString("base64");
  return fetch(`${h.app.url}/webhooks/sendgrid`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signature,
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    },
    body,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("the SendGrid webhook's timestamp", () => {
  it.each([
    ["letters", () => "abc"],
    ["hex", () => `0x${nowSeconds().toString(16)}`],
    ["empty", () => ""],
    ["a float", () => `${nowSeconds()}.5`],
    ["an exponent", () => `${(nowSeconds() / 1e9).toFixed(9)}e9`],
    ["a sign", () => `+${nowSeconds()}`],
    ["negative", () => `-${nowSeconds()}`],
    ["Infinity", () => "Infinity"],
  ])("is refused with 400 when it is %s, and nothing is queued", async (_name, timestamp) => {
    const response = await postSigned(timestamp());
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "timestamp header must be whole seconds since the epoch" });
    expect((await events.stats()).pending).toBe(0);
  });

  it("accepts whole seconds of now and refuses a stale one with 401", async () => {
    expect((await postSigned(String(nowSeconds()))).status).toBe(200);
    expect((await events.stats()).pending).toBe(1);
    expect((await postSigned(String(nowSeconds() - 3 * 86_400))).status).toBe(401);
  });
});
