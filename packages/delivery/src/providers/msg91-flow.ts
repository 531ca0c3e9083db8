// MSG91's Flow API (v5) over fetch: the message is a template registered with MSG91 and, for
// Indian traffic, with the DLT platform (TRAI's rule); only its variables travel. Which MSG91
// flow (and DLT template) a job's template uses comes from MSG91_FLOW_TEMPLATES. A template with
// no mapping is refused permanently: MSG91 would send nothing, or the operator would be billed for
// unregistered text that carriers drop. The v2 API (msg91.ts) stays for old accounts.
import { HaltQueueError, PermanentError } from "@notify/queue";
import { sendIsolatingRejections } from "../batching/bisect.ts";
import type { Msg91FlowTemplates } from "../config.ts";
import type { BatchReply, BatchSmsProvider, SmsBatch } from "./batch-types.ts";
import { errorForStatus, networkError } from "./classify.ts";
import type { SendResult, SmsMessage } from "./types.ts";

export interface Msg91FlowOptions {
  authKey: string;
  baseUrl: string;
  templates: Msg91FlowTemplates;
  timeoutMs: number;
}

const CREDENTIAL_PROBLEM = /auth|unauthori[sz]ed|ip not whitelisted|account (blocked|suspended)/i;
// Flow variables are the template's ##name## slots: short names, short values.
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,29}$/;

/** The job's data as flow variables: strings and numbers only, each cut to what one SMS can carry. */
function flowVariables(data: Record<string, unknown> | undefined): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(data ?? {})) {
    if (!VARIABLE_NAME.test(name) || name === "mobiles") continue;
    if (typeof value === "string" || typeof value === "number") variables[name] = String(value).slice(0, 160);
  }
  return variables;
}

/** Recipients per Flow request: our cap, so one refused request stays small to split. */
export const MSG91_FLOW_MAX_BATCH = 100;

export function createMsg91FlowProvider(options: Msg91FlowOptions): BatchSmsProvider {
  const url = new URL("/api/v5/flow/", options.baseUrl).toString();

  function templateOf(category: string) {
    const template = options.templates[category];
    if (!template)
      throw new PermanentError(`msg91 flow: no flow mapped for template "${category}" in MSG91_FLOW_TEMPLATES`, {
        reason: "invalid",
      });
    return template;
  }

  /** One Flow request for these recipients; MSG91 answers for the request as a whole. */
  async function post(
    template: { flowId: string; dltTemplateId?: string },
    recipients: readonly { to: string; data?: Record<string, unknown> }[],
  ): Promise<SendResult> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { authkey: options.authKey, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          template_id: template.flowId,
          ...(template.dltTemplateId ? { DLT_TE_ID: template.dltTemplateId } : {}),
          short_url: "0",
          recipients: recipients.map((r) => ({ mobiles: r.to.replace(/^\+/, ""), ...flowVariables(r.data) })),
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw networkError("msg91", error);
    }
    const raw = await response.text().catch(() => "");
    let reply: { type?: unknown; message?: unknown } = {};
    try {
      reply = JSON.parse(raw) as typeof reply;
    } catch {
      // Proxies and error pages answer in HTML; the status decides then.
    }
    const text = typeof reply.message === "string" ? reply.message : raw.slice(0, 500) || response.statusText;
    if (!response.ok)
      throw errorForStatus({
        provider: "msg91",
        status: response.status,
        message: text,
        headers: Object.fromEntries(response.headers),
      });
    if (reply.type === "success") return { providerId: text };
    if (CREDENTIAL_PROBLEM.test(text)) throw new HaltQueueError(`msg91 rejected the credentials: ${text}`);
    throw new PermanentError(`msg91 flow ${response.status}: ${text}`, { reason: "rejected" });
  }

  return {
    name: "msg91",
    send: async (message: SmsMessage) => post(templateOf(message.category), [message]),
    maxBatch: MSG91_FLOW_MAX_BATCH,
    // A refused request names no recipient: halves are retried until the refused ones stand alone.
    async sendBatch(batch: SmsBatch): Promise<BatchReply> {
      const template = templateOf(batch.category);
      return sendIsolatingRejections(batch.recipients, async (part) => {
        const sent = await post(template, part);
        return { outcomes: part.map(() => sent) };
      });
    },
  };
}
