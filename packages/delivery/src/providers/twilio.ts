// Twilio Programmable Messaging through the official `twilio` package. Its request client is
// kept; a subclass only points it at another origin when TWILIO_BASE_URL is set (the local
// stand-in), the way the SDK itself rewrites hosts for edges and regions. The SDK's own 429
// retries stay off: the queue owns retries, backoff and failover.
import { PermanentError } from "@notify/queue";
import twilio from "twilio";
import { errorForStatus, networkError } from "./classify.ts";
import type { SendResult, SmsMessage, SmsProvider } from "./types.ts";

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A Twilio number (E.164) or alphanumeric sender id; or messagingServiceSid. */
  from?: string;
  messagingServiceSid?: string;
  /** Where Twilio posts delivery reports (the API's /webhooks/twilio); the job id is added as ?job_id=. */
  statusCallback?: string;
  /** Only for the local stand-in and tests; production uses api.twilio.com. */
  baseUrl?: string;
  timeoutMs: number;
}

type RequestOptions = Parameters<twilio.RequestClient["request"]>[0];

/** Twilio's own request client, sending to `origin` instead of *.twilio.com. */
class RedirectedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly origin: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const target = new URL(opts.uri);
    const origin = new URL(this.origin);
    target.protocol = origin.protocol;
    target.host = origin.host;
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

function callbackFor(base: string, jobId: string): string {
  const url = new URL(base);
  url.searchParams.set("job_id", jobId);
  return url.toString();
}

interface TwilioFailure {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

export function createTwilioProvider(options: TwilioOptions): SmsProvider {
  const httpClient = options.baseUrl
    ? new RedirectedRequestClient(options.baseUrl, options.timeoutMs)
    : new twilio.RequestClient({ timeout: options.timeoutMs, keepAlive: true, autoRetry: false });
  const client = twilio(options.accountSid, options.authToken, { httpClient });

  return {
    name: "twilio",
    async send(message: SmsMessage): Promise<SendResult> {
      try {
        const sent = await client.messages.create({
          to: message.to,
          body: message.text,
          ...(options.messagingServiceSid
            ? { messagingServiceSid: options.messagingServiceSid }
            : { from: options.from }),
          ...(options.statusCallback ? { statusCallback: callbackFor(options.statusCallback, message.jobId) } : {}),
        });
        return { providerId: sent.sid };
      } catch (error) {
        const failure = error as TwilioFailure;
        if (error instanceof twilio.RestException || (typeof failure.status === "number" && failure.status >= 400)) {
          const status = Number(failure.status);
          const code = typeof failure.code === "number" ? ` (code ${failure.code})` : "";
          return Promise.reject(
            errorForStatus({ provider: "twilio", status, message: `${String(failure.message ?? "")}${code}` }),
          );
        }
        if (error instanceof Error && /required|must be/i.test(error.message) && !("code" in error))
          throw new PermanentError(`twilio client refused the message: ${error.message}`, { reason: "invalid" });
        throw networkError("twilio", error);
      }
    },
  };
}
