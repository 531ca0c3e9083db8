// Amazon SES v2 through @aws-sdk/client-sesv2 against the stand-in, and SMTP through nodemailer
// against a real SMTP server (smtp-server) on loopback: what each reply means for the job.
import { HaltQueueError, PermanentError, RetryableError } from "@notify/queue";
import { freePort, ProviderStandIn } from "@notify/testing";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotSentError } from "../src/providers/classify.ts";
import { createSesProvider } from "../src/providers/ses.ts";
import { createSmtpProvider } from "../src/providers/smtp.ts";
import type { EmailMessage } from "../src/providers/types.ts";

const standIn = new ProviderStandIn({ sesAccessKeyId: "AKIDGOOD" });

let n = 0;
const email = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  jobId: `ses-smtp-${++n}`,
  to: "ann@example.com",
  from: "Notify <no-reply@example.com>",
  subject: "Hi",
  html: "<p>Hi</p>",
  text: "Hi",
  category: "welcome",
  ...overrides,
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );
const ses = (accessKeyId = "AKIDGOOD", timeoutMs = 2_000) =>
  createSesProvider({
    region: "eu-west-1",
    endpoint: standIn.url,
    timeoutMs,
    credentials: { accessKeyId, secretAccessKey: "secret" },
  });

// A real SMTP server: it takes mail for anyone but answers by recipient, the way real ones do.
interface Received {
  to: string[];
  raw: string;
}
const received: Received[] = [];
const smtpServer = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onAuth(auth, _session, callback) {
    if (auth.username === "notify" && auth.password === "good") return callback(null, { user: "notify" });
    callback(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
  },
  onRcptTo(address: SMTPServerAddress, _session, callback) {
    if (address.address.startsWith("nobody@"))
      return callback(Object.assign(new Error("No such user here"), { responseCode: 550 }));
    if (address.address.startsWith("greylisted@"))
      return callback(Object.assign(new Error("Greylisted, try again later"), { responseCode: 451 }));
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
      callback();
    });
  },
});
let smtpPort = 0;
const smtp = (credentials = "notify:good") =>
  createSmtpProvider({ url: `smtp://${credentials}@127.0.0.1:${smtpPort}`, timeoutMs: 2_000 });

beforeAll(async () => {
  await standIn.start();
  smtpPort = await freePort();
  await new Promise<void>((resolve) => smtpServer.listen(smtpPort, "127.0.0.1", resolve));
});
afterAll(async () => {
  await standIn.stop();
  await new Promise<void>((resolve) => smtpServer.close(() => resolve()));
});

describe("Amazon SES v2 provider", () => {
  it("200: sent once, with SES's message id and the job id as an email tag", async () => {
    const message = email({ batchId: "b_1" });
    const result = await ses().send(message);
    expect(result.providerId).toMatch(/^ses-/);
    expect(standIn.deliveriesOf(message.jobId)).toBe(1);
    const body = standIn.deliveries.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      FromEmailAddress: "Notify <no-reply@example.com>",
      Destination: { ToAddresses: ["ann@example.com"] },
      Content: { Simple: { Subject: { Data: "Hi" }, Body: { Html: { Data: "<p>Hi</p>" }, Text: { Data: "Hi" } } } },
    });
    expect(body.EmailTags).toContainEqual({ Name: "job_id", Value: message.jobId });
  });

  it("400 MessageRejected: permanent, carrying SES's message", async () => {
    standIn.script("ses", { kind: "status", status: 400, message: "Email address is not verified." });
    const error = await failure(ses().send(email()));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain("MessageRejected: Email address is not verified.");
  });

  it("429 and 500: retryable, and certainly not sent", async () => {
    standIn.script("ses", { kind: "status", status: 429, retryAfterSeconds: 2 }, { kind: "status", status: 500 });
    expect(await failure(ses().send(email()))).toBeInstanceOf(NotSentError);
    expect(await failure(ses().send(email()))).toBeInstanceOf(NotSentError);
  });

  it("a key SES does not know: stops this provider (halt)", async () => {
    const error = await failure(ses("AKIDWRONG").send(email()));
    expect(error).toBeInstanceOf(HaltQueueError);
    expect((error as Error).message).toContain("UnrecognizedClientException");
  });

  it("a hang: retryable, but not known to be unsent", async () => {
    standIn.script("ses", { kind: "hang" });
    const error = await failure(ses("AKIDGOOD", 300).send(email()));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).not.toBeInstanceOf(NotSentError);
  });
});

describe("SMTP provider (nodemailer against a real SMTP server)", () => {
  it("250: delivered to the server with the job id in a header", async () => {
    const provider = smtp();
    try {
      const message = email({ to: "bob@example.com" });
      const result = await provider.send(message);
      expect(result.providerId).toMatch(/@/);
      // nodemailer writes the header as X-Notify-Job-ID; header names are case-insensitive.
      const got = received.find((r) => r.raw.toLowerCase().includes(`x-notify-job-id: ${message.jobId}`));
      expect(got?.to).toEqual(["bob@example.com"]);
      expect(got?.raw).toContain("Subject: Hi");
    } finally {
      provider.close();
    }
  });

  it("550 for the recipient: permanent; 451: retryable and not sent", async () => {
    const provider = smtp();
    try {
      const rejected = await failure(provider.send(email({ to: "nobody@example.com" })));
      expect(rejected).toBeInstanceOf(PermanentError);
      expect((rejected as Error).message).toContain("No such user here");
      const later = await failure(provider.send(email({ to: "greylisted@example.com" })));
      expect(later).toBeInstanceOf(NotSentError);
    } finally {
      provider.close();
    }
  });

  it("a refused login: stops this provider (halt)", async () => {
    const provider = smtp("notify:wrong");
    try {
      expect(await failure(provider.send(email()))).toBeInstanceOf(HaltQueueError);
    } finally {
      provider.close();
    }
  });

  it("nothing listening: retryable and not sent", async () => {
    const provider = createSmtpProvider({ url: `smtp://127.0.0.1:${await freePort()}`, timeoutMs: 1_000 });
    try {
      expect(await failure(provider.send(email()))).toBeInstanceOf(NotSentError);
    } finally {
      provider.close();
    }
  });
});
