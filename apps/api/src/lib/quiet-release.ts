// When quiet hours let a send go (issue 14): a non-critical message whose recipient's local time is
// inside the window is pushed as a delayed job due when the window ends there. The recipient's zone
// is the job's `data.timeZone`, else the time zone of the contact holding the recipient's address
// (looked up only for sends a window applies to, a whole campaign in a few round trips), else
// QUIET_HOURS_TIME_ZONE. OTPs and messages marked critical are never held.
import {
  contactProfiles,
  heldOptions,
  isTimeZone,
  type QuietHours,
  quietHoursEnd,
  smsIsUrgent,
  type TemplateChannel,
} from "@notify/queue/notifications";
import type { Context } from "../context.ts";

export { heldOptions };

export interface QuietOptions {
  critical?: boolean;
  /** This send's own window, or false for none; else the API's QUIET_HOURS. */
  quietHours?: QuietHours | false;
}

export interface QuietSend {
  channel: TemplateChannel;
  template: string;
  /** The recipient's email address or E.164 number, as the job's `to`. */
  to: string;
  data: Record<string, unknown>;
  options?: QuietOptions | undefined;
}

const zoneIn = (value: unknown) =>
  typeof value === "string" && value.length <= 64 && isTimeZone(value) ? value : undefined;

function windowOf(ctx: Pick<Context, "deps">, send: QuietSend): QuietHours | undefined {
  const { options = {} } = send;
  if (options.critical) return undefined;
  if (send.channel === "sms" && smsIsUrgent(send.template)) return undefined;
  return options.quietHours === false ? undefined : (options.quietHours ?? ctx.deps.config.quietHours);
}

/**
 * For each send, when quiet hours hold it, the moment they end (ms); undefined when it may go now.
 * A contact only another tenant can see does not lend its zone.
 */
export async function quietReleases(
  ctx: Pick<Context, "deps" | "tenant">,
  sends: readonly QuietSend[],
  now = Date.now(),
): Promise<(number | undefined)[]> {
  const windows = sends.map((send) => windowOf(ctx, send));
  const zones = sends.map((send) => zoneIn(send.data.timeZone));
  const unknown = sends.flatMap((_send, i) => (windows[i] && !zones[i] ? [i] : []));
  if (unknown.length > 0) {
    const recipients = unknown.map((i) => sends[i]?.to ?? "");
    const profiles = await contactProfiles(ctx.deps.redis, recipients, { tenant: ctx.tenant });
    for (const [n, i] of unknown.entries()) zones[i] = zoneIn(profiles[n]?.timeZone);
  }
  return windows.map((window, i) => {
    if (!window) return undefined;
    const end = quietHoursEnd(window, zones[i] ?? ctx.deps.config.quietHoursTimeZone, now);
    return end > now ? end : undefined;
  });
}

export async function quietRelease(
  ctx: Pick<Context, "deps" | "tenant">,
  send: QuietSend,
  now = Date.now(),
): Promise<number | undefined> {
  return (await quietReleases(ctx, [send], now))[0];
}
