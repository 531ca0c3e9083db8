// A real local HTTP receiver for status webhooks: records every request's raw body and headers
// (so a test verifies the signature over the exact bytes sent) and answers with the status it is
// told to, e.g. 500 for the next few calls to exercise retries and the automatic pause.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The status this request was answered with. */
  status: number;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripted: number[] = [];
  private fallback = 200;
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      readBody(request)
        .then((body) => {
          const status = this.scripted.shift() ?? this.fallback;
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(request.headers))
            headers[name] = Array.isArray(value) ? value.join(", ") : (value ?? "");
          this.received.push({ at: Date.now(), path: request.url ?? "/", headers, body, status });
          response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "receiver says no");
        })
        .catch(() => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answer the next requests with these statuses, in order; then the fallback. */
  script(...statuses: number[]): void {
    this.scripted.push(...statuses);
  }

  setFallback(status: number): void {
    this.fallback = status;
  }

  /** Requests to one path (each endpoint of a test gets its own). */
  to(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
