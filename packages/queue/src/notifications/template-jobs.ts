// One validator for a template job, by channel or by queue, and the OTP-is-urgent rule: what the
// API accepts, what a preview renders and what a worker sends are checked by the same code.
import { EMAIL_QUEUE, emailJobSchema, emailTemplateDataSchemas } from "./email-jobs.ts";
import { SMS_QUEUE, type SmsTemplate, smsJobSchema, smsTemplateDataSchemas, URGENT_SMS_TEMPLATES } from "./sms-jobs.ts";
import { dataIssues, type TemplateIssue } from "./template-data.ts";

export type TemplateChannel = "email" | "sms";

const DATA_SCHEMAS = { email: emailTemplateDataSchemas, sms: smsTemplateDataSchemas } as const;

/** Issues of a template's data (empty when it fits); undefined when the channel has no such template. */
export function templateDataIssues(
  channel: TemplateChannel,
  template: string,
  data: unknown,
): TemplateIssue[] | undefined {
  return dataIssues(DATA_SCHEMAS[channel], template, data);
}

/**
 * Issues of a whole job (type, to, data) for the queue it goes to; undefined for a queue that
 * takes any envelope (only the email and SMS queues hold template jobs).
 */
export function templateJobIssues(queue: string, job: unknown): TemplateIssue[] | undefined {
  const schema = queue === EMAIL_QUEUE ? emailJobSchema : queue === SMS_QUEUE ? smsJobSchema : undefined;
  if (!schema) return undefined;
  const result = schema.safeParse(job);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({
        path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
        message: issue.message,
      }));
}

/** OTPs are time-critical: they overtake any backlog of bulk SMS unless the producer says otherwise. */
export function smsIsUrgent(template: string, urgent?: boolean): boolean {
  return urgent ?? URGENT_SMS_TEMPLATES.has(template as SmsTemplate);
}

/** How long an OTP stays worth sending when the producer gives no expiry: a late OTP is worse than none. */
export const OTP_TTL_MS = 5 * 60_000;

/**
 * The push options an SMS of `template` gets by default: OTPs overtake the backlog and expire
 * after OTP_TTL_MS (dead-lettered as `expired`, never sent late) unless the producer says otherwise.
 */
export function smsPushDefaults(
  template: string,
  options: { urgent?: boolean; expiresAt?: Date | number; ttlMs?: number } = {},
): { urgent: boolean; ttlMs?: number } {
  const urgent = smsIsUrgent(template, options.urgent);
  const timeCritical = URGENT_SMS_TEMPLATES.has(template as SmsTemplate);
  const givenExpiry = options.expiresAt !== undefined || options.ttlMs !== undefined;
  return timeCritical && !givenExpiry ? { urgent, ttlMs: OTP_TTL_MS } : { urgent };
}
