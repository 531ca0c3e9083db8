// A local HTTP server that answers like SendGrid v3 (/v3/mail/send), Resend (/emails), Amazon SES
// v2 (/v2/email/outbound-emails), MSG91 (/api/v2/sendsms and Flow's /api/v5/flow) and Twilio
// (/2010-04-01/Accounts/<sid>/Messages.json), so providers run through their real client
// libraries with no internet. Each reply can be scripted (status, Retry-After, latency, a hang)
// and every accepted delivery is counted by job id (SendGrid custom_args.job_id, Resend's and
// SES's job_id tag; MSG91 and Twilio have no such field, so recipient + text). Batched requests
// (SendGrid personalizations, SES SendBulkEmail, MSG91 Flow's recipients) count one delivery per
// recipient; `rejectPrefix` makes recipients it starts fail as the real service refuses them.
//
// Run on its own: bun packages/testing/src/provider-stand-in.ts [--port N] [--latency-ms 50]
// prints {"url":...} and serves GET /__stand-in/stats for scripts in other processes.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  | { kind: "ok"; headers?: Record<string, string> }
  | { kind: "status"; status: number; message?: string; retryAfterSeconds?: number }
  | { kind: "hang" };

export type Provider = "sendgrid" | "resend" | "ses" | "sesbulk" | "msg91" | "msg91flow" | "twilio";
const PROVIDERS: readonly Provider[] = ["sendgrid", "resend", "ses", "sesbulk", "msg91", "msg91flow", "twilio"];

export interface Delivery {
  provider: Provider;
  key: string;
  to: string;
  body: unknown;
  at: number;
}

export interface StandInStats {
  requests: number;
  accepted: number;
  distinct: number;
  duplicates: number;
}

export interface StandInOptions {
  port?: number;
  latencyMs?: number;
  /** When set, a request with another key gets 401 like the real service. */
  sendgridApiKey?: string;
  resendApiKey?: string;
  msg91AuthKey?: string;
  /** SES: the access key id the SigV4 Authorization header must name. */
  sesAccessKeyId?: string;
  /** Twilio: the account sid and auth token of HTTP Basic auth. */
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  /**
   * Keep every accepted request's body in `deliveries` (default). A throughput run turns it off:
   * thousands of retained 8 KB bodies make the stand-in's own garbage collector late with the
   * 50 ms replies, which would be counted against the worker.
   */
  keepBodies?: boolean;
  /**
   * Recipients starting with this prefix are accepted (counted) at once but answered only after
   * `slowReplyMs`: a provider call that outlives its sender's shutdown grace and ignores its abort.
   */
  slowPrefix?: string;
  slowReplyMs?: number;
  /**
   * Recipients starting with this are refused: SendGrid 400s the request naming their
   * personalizations, SES bulk answers MESSAGE_REJECTED for their entries, MSG91 400s the request.
   */
  rejectPrefix?: string;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

// The `name` Resend's API gives each error status.
const RESEND_ERROR_NAMES: Record<number, string> = {
  400: "invalid_request",
  401: "missing_api_key",
  403: "invalid_api_key",
  422: "validation_error",
  429: "rate_limit_exceeded",
  500: "internal_server_error",
};

// The error type SES v2 names for each status (its x-amzn-ErrorType header).
const SES_ERROR_NAMES: Record<number, string> = {
  400: "MessageRejected",
  403: "UnrecognizedClientException",
  404: "NotFoundException",
  429: "TooManyRequestsException",
  500: "InternalFailure",
  503: "ServiceUnavailable",
};

function providerOfPath(path: string): Provider | null {
  if (path === "/v3/mail/send") return "sendgrid";
  if (path === "/emails") return "resend";
  if (path === "/v2/email/outbound-emails") return "ses";
  if (path === "/v2/email/outbound-bulk-emails") return "sesbulk";
  if (path === "/api/v2/sendsms") return "msg91";
  if (path === "/api/v5/flow" || path === "/api/v5/flow/") return "msg91flow";
  if (/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path)) return "twilio";
  return null;
}

type Read = { key: string; to: string } | null;

/** Every recipient a request is for, with the key each is counted by; null when a required field is missing. */
function readDeliveries(provider: Provider, body: unknown): { key: string; to: string }[] | null {
  switch (provider) {
    case "sendgrid": {
      const mail = body as {
        personalizations?: { to?: { email?: string }[]; custom_args?: Record<string, string> }[];
        custom_args?: Record<string, string>;
      };
      const personalizations = mail.personalizations ?? [];
      if (personalizations.length === 0 || personalizations.length > 1000) return null;
      const reads: { key: string; to: string }[] = [];
      for (const personalization of personalizations) {
        const to = personalization.to?.[0]?.email;
        if (!to) return null;
        const jobId = personalization.custom_args?.job_id ?? mail.custom_args?.job_id;
        reads.push({ key: jobId ?? to, to });
      }
      return reads;
    }
    case "sesbulk": {
      const mail = body as {
        FromEmailAddress?: unknown;
        DefaultContent?: { Template?: { TemplateContent?: unknown; TemplateName?: unknown } };
        BulkEmailEntries?: {
          Destination?: { ToAddresses?: string[] };
          ReplacementTags?: { Name?: string; Value?: string }[];
        }[];
      };
      const entries = mail.BulkEmailEntries ?? [];
      const template = mail.DefaultContent?.Template;
      if (typeof mail.FromEmailAddress !== "string" || !(template?.TemplateContent || template?.TemplateName))
        return null;
      if (entries.length === 0 || entries.length > 50) return null;
      const reads: { key: string; to: string }[] = [];
      for (const entry of entries) {
        const to = entry.Destination?.ToAddresses?.[0];
        if (!to) return null;
        const jobId = entry.ReplacementTags?.find((tag) => tag.Name === "job_id")?.Value;
        reads.push({ key: jobId ?? to, to });
      }
      return reads;
    }
    case "msg91flow": {
      const flow = body as { template_id?: unknown; recipients?: Record<string, unknown>[] };
      if (typeof flow.template_id !== "string" || !flow.recipients?.length) return null;
      const reads: { key: string; to: string }[] = [];
      for (const { mobiles: to, ...variables } of flow.recipients) {
        if (typeof to !== "string" || !to) return null;
        reads.push({ key: `${to}:${flow.template_id}:${JSON.stringify(variables)}`, to });
      }
      return reads;
    }
    default: {
      const read = readDelivery(provider, body);
      return read ? [read] : null;
    }
  }
}

/** Who a one-recipient request is for and the key it is counted by; null when a required field is missing. */
function readDelivery(provider: Exclude<Provider, "sendgrid" | "sesbulk" | "msg91flow">, body: unknown): Read {
  switch (provider) {
    case "resend": {
      const mail = body as {
        from?: unknown;
        to?: unknown;
        subject?: unknown;
        tags?: { name?: string; value?: string }[];
      };
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      if (typeof to !== "string" || !to || typeof mail.from !== "string" || typeof mail.subject !== "string")
        return null;
      const jobId = mail.tags?.find((tag) => tag.name === "job_id")?.value;
      return { key: jobId ?? to, to };
    }
    case "ses": {
      const mail = body as {
        FromEmailAddress?: unknown;
        Destination?: { ToAddresses?: string[] };
        Content?: { Simple?: { Subject?: { Data?: unknown } } };
        EmailTags?: { Name?: string; Value?: string }[];
      };
      const to = mail.Destination?.ToAddresses?.[0];
      if (!to || typeof mail.FromEmailAddress !== "string" || typeof mail.Content?.Simple?.Subject?.Data !== "string")
        return null;
      const jobId = mail.EmailTags?.find((tag) => tag.Name === "job_id")?.Value;
      return { key: jobId ?? to, to };
    }
    case "msg91": {
      const sms = (body as { sms?: { message?: string; to?: string[] }[] }).sms?.[0];
      const to = sms?.to?.[0];
      if (!to || !sms?.message) return null;
      return { key: `${to}:${sms.message}`, to };
    }
    case "twilio": {
      const form = body as Record<string, string>;
      if (!form.To || !form.Body || !(form.From || form.MessagingServiceSid)) return null;
      return { key: `${form.To}:${form.Body}`, to: form.To };
    }
  }
}

export class ProviderStandIn {
  readonly deliveries: Delivery[] = [];
  /** The most provider requests open at once: what a sender's concurrency really was. */
  peakInFlight = 0;
  private inFlight = 0;
  private readonly counts = new Map<string, number>();
  private readonly scripted = Object.fromEntries(PROVIDERS.map((p) => [p, [] as Reply[]])) as Record<Provider, Reply[]>;
  private fallback = Object.fromEntries(PROVIDERS.map((p) => [p, { kind: "ok" }])) as Record<Provider, Reply>;
  private readonly hanging = new Set<ServerResponse>();
  private requests = 0;
  private server: Server | null = null;
  url = "";
  latencyMs: number;

  constructor(private readonly options: StandInOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) =>
        sendJson(response, 500, { errors: [{ message: String(error) }] }),
      );
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(this.options.port ?? 0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next replies, in order; after them the fallback applies. */
  script(provider: Provider, ...replies: Reply[]): void {
    this.scripted[provider].push(...replies);
  }

  setFallback(provider: Provider, reply: Reply): void {
    this.fallback[provider] = reply;
  }

  deliveriesOf(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** When `key` was first accepted at or after `since` (ms), or null. */
  firstDeliveryAfter(key: string, since: number): number | null {
    for (const delivery of this.deliveries) if (delivery.key === key && delivery.at >= since) return delivery.at;
    return null;
  }

  stats(): StandInStats {
    let duplicates = 0;
    for (const count of this.counts.values()) duplicates += count - 1;
    return { requests: this.requests, accepted: this.deliveries.length, distinct: this.counts.size, duplicates };
  }

  /** Job ids (or recipient+text keys) accepted at least once. */
  deliveredKeys(): string[] {
    return [...this.counts.keys()];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (request.method === "GET" && path === "/__stand-in/stats") return sendJson(response, 200, this.stats());
    if (request.method === "GET" && path === "/__stand-in/keys") return sendJson(response, 200, this.deliveredKeys());
    const provider: Provider | null = request.method === "POST" ? providerOfPath(path) : null;
    if (!provider) return sendJson(response, 404, { errors: [{ message: "not found" }] });
    this.requests += 1;
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    response.once("close", () => {
      this.inFlight -= 1;
    });
    const raw = await readBody(request);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    // Stopped meanwhile (stop() cut the connection): like a provider that went down before taking
    // the message, nothing is accepted, and the client sees its connection reset.
    if (response.destroyed) return;
    const reply = this.scripted[provider].shift() ?? this.fallback[provider];
    if (reply.kind === "hang") {
      this.hanging.add(response);
      response.on("close", () => this.hanging.delete(response));
      return;
    }
    if (reply.kind === "status") return this.fail(provider, response, reply);
    if (!this.authorized(provider, request)) {
      return this.fail(provider, response, {
        // AWS answers an unknown key with 403 UnrecognizedClientException, the others with 401.
        status: provider === "ses" || provider === "sesbulk" ? 403 : 401,
        message: "The provided authorization grant is invalid, expired, or revoked",
      });
    }
    let body: unknown;
    try {
      // Twilio's API takes a form, the others JSON.
      body = provider === "twilio" ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw);
    } catch {
      return this.fail(provider, response, { status: 400, message: "Bad Request" });
    }
    const reads = readDeliveries(provider, body);
    const delivery = reads?.[0];
    if (!reads || !delivery) {
      // Resend answers a missing field with 422 validation_error, the others with 400.
      const status = provider === "resend" ? 422 : 400;
      return this.fail(provider, response, { status, message: "invalid request body" });
    }
    const prefix = this.options.rejectPrefix;
    const refused = reads.map((read) => prefix !== undefined && read.to.startsWith(prefix));
    if (refused.some(Boolean) && provider !== "sesbulk") return this.refuse(provider, response, refused);
    const bulkResults: { Status: string; MessageId?: string; Error?: string }[] = [];
    reads.forEach((read, index) => {
      if (refused[index]) {
        bulkResults.push({ Status: "MESSAGE_REJECTED", Error: "Email address is not verified." });
        return;
      }
      this.deliveries.push({
        provider,
        ...read,
        body: this.options.keepBodies === false ? null : body,
        at: Date.now(),
      });
      this.counts.set(read.key, (this.counts.get(read.key) ?? 0) + 1);
      bulkResults.push({ Status: "SUCCESS", MessageId: `ses-${this.deliveries.length}` });
    });
    if (this.options.slowPrefix && delivery.to.startsWith(this.options.slowPrefix)) {
      await new Promise((r) => setTimeout(r, this.options.slowReplyMs ?? 10_000));
    }
    if (provider === "sendgrid") {
      const headers = reply.kind === "ok" ? reply.headers : undefined;
      response.writeHead(202, { "x-message-id": `sg-${this.deliveries.length}`, "content-length": 0, ...headers });
      response.end();
      return;
    }
    if (provider === "sesbulk") return sendJson(response, 200, { BulkEmailEntryResults: bulkResults });
    if (provider === "resend") return sendJson(response, 200, { id: `re-${this.deliveries.length}` });
    if (provider === "ses") return sendJson(response, 200, { MessageId: `ses-${this.deliveries.length}` });
    if (provider === "twilio") {
      const form = body as Record<string, string>;
      const sid = `SM${String(this.deliveries.length).padStart(32, "0")}`;
      return sendJson(response, 201, {
        sid,
        account_sid: path.split("/")[3],
        to: form.To,
        from: form.From ?? null,
        body: form.Body,
        status: "queued",
        num_segments: "1",
        uri: `${path.replace(/\.json$/, "")}/${sid}.json`,
      });
    }
    sendJson(response, 200, { type: "success", message: `m91-${this.deliveries.length}` });
  }

  private authorized(provider: Provider, request: IncomingMessage): boolean {
    if (provider === "sendgrid") {
      return !this.options.sendgridApiKey || request.headers.authorization === `Bearer ${this.options.sendgridApiKey}`;
    }
    if (provider === "resend") {
      return !this.options.resendApiKey || request.headers.authorization === `Bearer ${this.options.resendApiKey}`;
    }
    if (provider === "ses" || provider === "sesbulk") {
      const id = this.options.sesAccessKeyId;
      return !id || String(request.headers.authorization ?? "").includes(`Credential=${id}/`);
    }
    if (provider === "twilio") {
      const { twilioAccountSid: sid, twilioAuthToken: token } = this.options;
      const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;
      return !sid || (request.headers.authorization === expected && (request.url ?? "").includes(`/Accounts/${sid}/`));
    }
    return !this.options.msg91AuthKey || request.headers.authkey === this.options.msg91AuthKey;
  }

  /** A request with refused recipients: SendGrid names each personalization, MSG91 only says no. */
  private refuse(provider: Provider, response: ServerResponse, refused: boolean[]): void {
    if (provider === "sendgrid") {
      const errors = refused.flatMap((bad, index) =>
        bad
          ? [
              {
                message: "Does not contain a valid address.",
                field: `personalizations.${index}.to.0.email`,
                help: null,
              },
            ]
          : [],
      );
      sendJson(response, 400, { errors });
    } else if (provider === "msg91flow" || provider === "msg91")
      sendJson(response, 400, { type: "error", message: "Mobile number not valid" });
    else this.fail(provider, response, { status: 400, message: "recipient refused" });
  }

  private fail(
    provider: Provider,
    response: ServerResponse,
    reply: { status: number; message?: string; retryAfterSeconds?: number },
  ): void {
    const headers: Record<string, string> = {};
    if (reply.retryAfterSeconds !== undefined) headers["retry-after"] = String(reply.retryAfterSeconds);
    const message = reply.message ?? `scripted ${reply.status}`;
    if (provider === "ses" || provider === "sesbulk")
      headers["x-amzn-errortype"] = SES_ERROR_NAMES[reply.status] ?? "InternalFailure";
    const body =
      provider === "sendgrid"
        ? { errors: [{ message, field: null, help: null }] }
        : provider === "resend"
          ? { statusCode: reply.status, name: RESEND_ERROR_NAMES[reply.status] ?? "application_error", message }
          : provider === "ses" || provider === "sesbulk"
            ? { message }
            : provider === "twilio"
              ? {
                  code: reply.status === 401 ? 20003 : 21211,
                  message,
                  more_info: "https://www.twilio.com/docs/errors",
                  status: reply.status,
                }
              : { type: "error", message };
    sendJson(response, reply.status, body, headers);
  }
}

// Bun sets import.meta.main for the entry file.
if ((import.meta as { main?: boolean }).main) {
  const arg = (name: string) => {
    const index = process.argv.indexOf(name);
    return index > 0 ? process.argv[index + 1] : undefined;
  };
  const standIn = await new ProviderStandIn({
    port: Number(arg("--port") ?? 0),
    latencyMs: Number(arg("--latency-ms") ?? 0),
  }).start();
  process.stdout.write(`${JSON.stringify({ url: standIn.url })}\n`);
  const stop = () => void standIn.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
