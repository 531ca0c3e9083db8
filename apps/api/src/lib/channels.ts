// Seed 004's EMAIL_ENABLED / SMS_ENABLED switches. Off, a channel's enqueues are refused with
// PRECONDITION_FAILED and nothing is queued: a caller is told, rather than handed a job id for a
// message that will never be sent (seed 004's push returned None silently).
import { EMAIL_QUEUE, SMS_QUEUE } from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import type { ApiConfig } from "../config.ts";

const SWITCHES = {
  [EMAIL_QUEUE]: { variable: "EMAIL_ENABLED", on: (c: ApiConfig) => c.emailEnabled },
  [SMS_QUEUE]: { variable: "SMS_ENABLED", on: (c: ApiConfig) => c.smsEnabled },
} as const;

/** Why `queue` may not take or run jobs in this deployment, or null. */
export function channelOffReason(config: ApiConfig, queue: string): string | null {
  const toggle = Object.hasOwn(SWITCHES, queue) ? SWITCHES[queue as keyof typeof SWITCHES] : undefined;
  if (!toggle || toggle.on(config)) return null;
  return `${queue} is switched off (${toggle.variable}=false): nothing was queued`;
}

export function assertChannelOn(config: ApiConfig, queue: string): void {
  const reason = channelOffReason(config, queue);
  if (reason) throw new TRPCError({ code: "PRECONDITION_FAILED", message: reason });
}
