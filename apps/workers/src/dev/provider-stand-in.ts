// A local HTTP server that answers like SendGrid v3 (/v3/mail/send) and MSG91 (/api/v2/sendsms),
// so providers run through their real client libraries with no internet. Each reply can be
// scripted (status, Retry-After, latency, a hang) and every accepted delivery is counted by job id
// (SendGrid custom_args.job_id; MSG91 has no such field, so recipient + text).
//
// Run on its own: bun apps/workers/src/dev/provider-stand-in.ts [--port N] [--latency-ms 50]
// prints {"url":...} and serves GET /__stand-in/stats for scripts in other processes.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  | { kind: "ok" }
  | { kind: "status"; status: number; message?: string; retryAfterSeconds?: number }
  | { kind: "hang" };

export type Provider = "sendgrid" | "msg91";

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
  msg91AuthKey?: string;
  /**
   * Keep every accepted request's body in `deliveries` (default). A throughput run turns it off:
   * thousands of retained 8 KB bodies make the stand-in's own garbage collector late with the
   * 50 ms replies, which would be counted against the worker.
   */
  keepBodies?: boolean;
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

export class ProviderStandIn {
  readonly deliveries: Delivery[] = [];
  private readonly counts = new Map<string, number>();
  private readonly scripted: Record<Provider, Reply[]> = { sendgrid: [], msg91: [] };
  private fallback: Record<Provider, Reply> = { sendgrid: { kind: "ok" }, msg91: { kind: "ok" } };
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
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/__stand-in/stats") return sendJson(response, 200, this.stats());
    if (request.method === "GET" && path === "/__stand-in/keys") return sendJson(response, 200, this.deliveredKeys());
    const provider: Provider | null =
      request.method === "POST" && path === "/v3/mail/send"
        ? "sendgrid"
        : request.method === "POST" && path === "/api/v2/sendsms"
          ? "msg91"
          : null;
    if (!provider) return sendJson(response, 404, { errors: [{ message: "not found" }] });
    this.requests += 1;
    const raw = await readBody(request);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const reply = this.scripted[provider].shift() ?? this.fallback[provider];
    if (reply.kind === "hang") {
      this.hanging.add(response);
      response.on("close", () => this.hanging.delete(response));
      return;
    }
    if (reply.kind === "status") return this.fail(provider, response, reply);
    if (!this.authorized(provider, request)) {
      return this.fail(provider, response, {
        status: 401,
        message: "The provided authorization grant is invalid, expired, or revoked",
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.fail(provider, response, { status: 400, message: "Bad Request" });
    }
    const delivery = provider === "sendgrid" ? this.readMail(body) : this.readSms(body);
    if (!delivery) return this.fail(provider, response, { status: 400, message: "invalid request body" });
    this.deliveries.push({
      provider,
      ...delivery,
      body: this.options.keepBodies === false ? null : body,
      at: Date.now(),
    });
    this.counts.set(delivery.key, (this.counts.get(delivery.key) ?? 0) + 1);
    if (provider === "sendgrid") {
      response.writeHead(202, { "x-message-id": `sg-${this.deliveries.length}`, "content-length": 0 });
      response.end();
      return;
    }
    sendJson(response, 200, { type: "success", message: `m91-${this.deliveries.length}` });
  }

  private authorized(provider: Provider, request: IncomingMessage): boolean {
    if (provider === "sendgrid") {
      return !this.options.sendgridApiKey || request.headers.authorization === `Bearer ${this.options.sendgridApiKey}`;
    }
    return !this.options.msg91AuthKey || request.headers.authkey === this.options.msg91AuthKey;
  }

  private readMail(body: unknown): { key: string; to: string } | null {
    const mail = body as {
      personalizations?: { to?: { email?: string }[]; custom_args?: Record<string, string> }[];
      custom_args?: Record<string, string>;
    };
    const personalization = mail.personalizations?.[0];
    const to = personalization?.to?.[0]?.email;
    if (!to) return null;
    const jobId = mail.custom_args?.job_id ?? personalization?.custom_args?.job_id;
    return { key: jobId ?? to, to };
  }

  private readSms(body: unknown): { key: string; to: string } | null {
    const sms = (body as { sms?: { message?: string; to?: string[] }[] }).sms?.[0];
    const to = sms?.to?.[0];
    if (!to || !sms?.message) return null;
    return { key: `${to}:${sms.message}`, to };
  }

  private fail(
    provider: Provider,
    response: ServerResponse,
    reply: { status: number; message?: string; retryAfterSeconds?: number },
  ): void {
    const headers: Record<string, string> = {};
    if (reply.retryAfterSeconds !== undefined) headers["retry-after"] = String(reply.retryAfterSeconds);
    const message = reply.message ?? `scripted ${reply.status}`;
    const body =
      provider === "sendgrid" ? { errors: [{ message, field: null, help: null }] } : { type: "error", message };
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
