// MSG91's SMS API (v2 sendsms) over fetch. MSG91 can answer 200 with {"type":"error"}, so the
// body decides success, not only the status.
import { HaltQueueError, PermanentError } from "@notify/queue";
import { errorForStatus, networkError } from "./classify.ts";
import type { SendResult, SmsMessage, SmsProvider } from "./types.ts";

export interface Msg91Options {
  authKey: string;
  senderId: string;
  route: string;
  baseUrl: string;
  timeoutMs: number;
}

interface Msg91Reply {
  type?: unknown;
  message?: unknown;
}

const CREDENTIAL_PROBLEM = /auth|unauthori[sz]ed|ip not whitelisted|account (blocked|suspended)/i;

export function createMsg91Provider(options: Msg91Options): SmsProvider {
  const url = new URL("/api/v2/sendsms", options.baseUrl).toString();
  return {
    name: "msg91",
    async send(message: SmsMessage): Promise<SendResult> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { authkey: options.authKey, "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({
            sender: options.senderId,
            route: options.route,
            // "0" tells MSG91 the numbers carry their country code.
            country: "0",
            sms: [{ message: message.text, to: [message.to.replace(/^\+/, "")] }],
          }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw networkError("msg91", error);
      }
      let reply: Msg91Reply = {};
      let raw = "";
      try {
        raw = await response.text();
        reply = JSON.parse(raw) as Msg91Reply;
      } catch (error) {
        if (!raw && response.ok) throw networkError("msg91", error);
      }
      const text = typeof reply.message === "string" ? reply.message : raw.slice(0, 500) || response.statusText;
      if (!response.ok) {
        throw errorForStatus({
          provider: "msg91",
          status: response.status,
          message: text,
          headers: Object.fromEntries(response.headers),
        });
      }
      if (reply.type === "success") return { providerId: text };
      if (CREDENTIAL_PROBLEM.test(text)) throw new HaltQueueError(`msg91 rejected the credentials: ${text}`);
      throw new PermanentError(`msg91 ${response.status}: ${text}`, { reason: "rejected" });
    },
  };
}
