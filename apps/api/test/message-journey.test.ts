// Issue #14's "done means": one email from enqueue to click and bounce through the real API, real
// email, events and webhooks worker processes, the provider stand-in (SendGrid's own client) and
// the signed SendGrid event webhook. Asserts the message's timeline, the search results, and the
// signed status webhooks a real local receiver gets (checked with @notify/client's verifier).
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { resolve } from "node:path";
import { createNotifyClient, verifyWebhook } from "@notify/client";
import { ProviderStandIn, WebhookReceiver, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, OTHER_SERVICE_KEY, startHarness } from "./support/harness.ts";

const BUN = resolve(import.meta.dirname, "../../../node_modules/.bin/bun");
const WORKERS = resolve(import.meta.dirname, "../../workers/src");
const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

let h: Harness;
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.journey" });
const receiver = new WebhookReceiver();
const children: ChildProcess[] = [];

/** A worker process as the Procfile runs it; resolves once it logged "worker started". */
function startWorker(kind: string, env: Record<string, string>): Promise<void> {
  const child = spawn(BUN, [`${WORKERS}/${kind}-worker.ts`], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((ready, fail) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"worker started"')) ready();
    };
    child.stdout?.on("data", seen);
    child.stderr?.on("data", seen);
    child.once("exit", (code) => fail(new Error(`${kind} worker exited (${code}):\n${output}`)));
  });
}

beforeAll(async () => {
  h = await startHarness({
    config: { sendgridPublicKey: keys.publicKey.export({ format: "der", type: "spki" }).toString("base64") },
  });
  await standIn.start();
  await receiver.start();
  const env = {
    REDIS_URL: h.redisServer.url,
    SENDGRID_API_KEY: "SG.journey",
    SENDGRID_BASE_URL: standIn.url,
    RETRY_BASE_MS: "50",
    SEED_KEYS: "false",
  };
  await Promise.all(["email", "events", "webhooks"].map((kind) => startWorker(kind, env)));
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await receiver.stop();
  await standIn.stop();
  await h?.close();
});

/** SendGrid's Signed Event Webhook: ECDSA over timestamp + raw body. */
async function postSendGridEvents(events: Record<string, unknown>[]): Promise<number> {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign("sha256", Buffer.from(timestamp + body), keys.privateKey).toString("base64");
  const response = await fetch(`${h.app.url}/webhooks/sendgrid`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signature,
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    },
    body,
  });
  return response.status;
}

describe("one email's journey: enqueue, send, delivered, opened, clicked, bounced", () => {
  it("is on the timeline, found by search, and announced to the application signed", async () => {
    const endpoint = await h.service.webhooks.create.mutate({
      url: `${receiver.url}/notify-events`,
      events: ["message.sent", "message.delivered", "message.opened", "message.clicked", "message.bounced"],
    });
    const before = Date.now();
    const { jobId } = await h.service.email.send.mutate({
      template: "welcome",
      to: "ann@example.com",
      data: { user_name: "Ann" },
      options: { idempotencyKey: "signup-ann" },
    });

    const sent = await waitFor(
      async () => {
        const message = await h.service.messages.get.query({ id: jobId }).catch(() => null);
        return message?.status === "sent" ? message : null;
      },
      { timeoutMs: 20_000, message: "email sent and logged" },
    );
    expect(standIn.deliveriesOf(jobId)).toBe(1);
    expect(sent).toMatchObject({ attempts: 1, provider: "sendgrid", tenant: "tests", idempotencyKey: "signup-ann" });
    expect(sent.providerMessageId).toMatch(/^sg-/);

    const at = Math.floor(Date.now() / 1000);
    const event = (name: string, offset: number, extra: Record<string, unknown> = {}) => ({
      email: "ann@example.com",
      event: name,
      timestamp: at + offset,
      sg_event_id: `ev-${name}-${jobId}`,
      sg_message_id: sent.providerMessageId,
      job_id: jobId,
      ...extra,
    });
    expect(
      await postSendGridEvents([
        event("delivered", 1),
        event("open", 2),
        event("click", 3, { url: "https://example.com/welcome" }),
      ]),
    ).toBe(200);
    // The bounce comes later in a call of its own, as SendGrid batches them.
    await waitFor(async () => (await h.service.messages.get.query({ id: jobId })).status === "clicked", {
      message: "clicked",
    });
    expect(await postSendGridEvents([event("bounce", 4, { type: "bounce", reason: "550 mailbox full" })])).toBe(200);

    const message = await waitFor(
      async () => {
        const current = await h.service.messages.get.query({ id: jobId });
        return current.status === "bounced" ? current : null;
      },
      { message: "bounce on the timeline" },
    );
    expect(message.events.map((e) => e.type)).toEqual(["attempt", "delivered", "opened", "clicked", "bounced"]);
    expect(message.events[0]).toMatchObject({ attempt: 1, outcome: "sent", provider: "sendgrid" });
    expect(message.events[3]).toMatchObject({ url: "https://example.com/welcome" });
    expect(message.events[4]).toMatchObject({ reason: "550 mailbox full", bounceType: "hard" });
    expect(message.enqueuedAt).toBeGreaterThanOrEqual(before - 1_000);
    // The engine's own view agrees: one run for a first-time success.
    expect((await h.service.jobs.get.query({ id: jobId })).attempts).toBe(1);

    // Search: by each field, paged with a total; another tenant finds nothing.
    const ids = (page: { messages: { id: string }[] }) => page.messages.map((m) => m.id);
    expect(ids(await h.service.messages.search.query({ to: "ANN@example.com" }))).toEqual([jobId]);
    expect(ids(await h.service.messages.search.query({ idempotencyKey: "signup-ann" }))).toEqual([jobId]);
    const byProviderId = await h.service.messages.search.query({ providerMessageId: String(sent.providerMessageId) });
    expect(byProviderId).toMatchObject({ total: 1, exact: true });
    expect(ids(await h.service.messages.search.query({ template: "welcome", from: before - 1_000 }))).toEqual([jobId]);
    expect((await h.service.messages.search.query({ template: "welcome", until: before - 60_000 })).total).toBe(0);
    expect(ids(await h.admin.messages.search.query({ jobId }))).toEqual([jobId]);
    const other = createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY });
    expect((await other.messages.search.query({ to: "ann@example.com" })).total).toBe(0);
    await expect(other.messages.get.query({ id: jobId })).rejects.toThrow(/no message/);

    // The application's endpoint got every status change once, each signed with its secret.
    const calls = await waitFor(() => {
      const received = receiver.to("/notify-events");
      return received.length >= 5 ? received : null;
    });
    const verified = calls.map((call) => verifyWebhook(endpoint.secret, call.body, call.headers));
    expect(verified.map((e) => e.type).sort()).toEqual(
      ["message.bounced", "message.clicked", "message.delivered", "message.opened", "message.sent"].sort(),
    );
    for (const e of verified) expect(e.data.message?.id).toBe(jobId);
    expect(verified.find((e) => e.type === "message.clicked")?.data.event?.url).toBe("https://example.com/welcome");
    expect(new Set(calls.map((c) => c.headers["webhook-id"])).size).toBe(5);
    expect(() => verifyWebhook(endpoint.secret, `${calls[0]?.body}x`, calls[0]?.headers ?? {})).toThrow();
    const log = await h.service.webhooks.get.query({ id: endpoint.id });
    expect(log.deliveries.filter((d) => d.ok)).toHaveLength(5);
  }, 60_000);
});
