// Quiet hours (issue 14): a non-critical message for a recipient whose local time is inside the
// window is held until the window ends, by pushing it as a delayed job (the engine promotes it
// when due; nothing waits or polls). OTPs and messages marked critical are never held. Pure
// functions: the time zone database is Intl's, the same one cron schedules use.
import { z } from "zod";

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** A daily window in the recipient's local time, e.g. 21:00 to 08:00 (it may span midnight). */
export const quietHoursSchema = z
  .object({
    start: z.string().regex(CLOCK, "times are HH:MM or HH:MM:SS (24-hour)"),
    end: z.string().regex(CLOCK, "times are HH:MM or HH:MM:SS (24-hour)"),
  })
  .strict()
  .refine((window) => window.start !== window.end, { message: "start and end must differ" });
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** "21:00-08:00" (the QUIET_HOURS variable's form) -> {start, end}; throws on anything else. */
export function parseQuietHours(text: string): QuietHours {
  const [start = "", end = "", ...rest] = text.split("-").map((part) => part.trim());
  if (rest.length > 0) throw new Error(`quiet hours "${text}" must look like 21:00-08:00`);
  return quietHoursSchema.parse({ start, end });
}

const secondsOf = (clock: string) => {
  const [, h = "0", m = "0", s = "0"] = CLOCK.exec(clock) ?? [];
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
};

/** Seconds since local midnight at `at` in `timeZone`. */
function localSeconds(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return get("hour") * 3600 + get("minute") * 60 + get("second");
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * When a message may go out: `now` outside the window, else the moment the window ends in the
 * recipient's zone. An unknown time zone counts as UTC. Daylight-saving shifts can move the end
 * by the shift (an hour at most), which errs on the side of a quiet night.
 */
export function quietHoursEnd(window: QuietHours, timeZone: string | undefined, now = Date.now()): number {
  const zone = timeZone && isTimeZone(timeZone) ? timeZone : "UTC";
  const local = localSeconds(now, zone);
  const start = secondsOf(window.start);
  const end = secondsOf(window.end);
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return now;
  const wait = (end - local + 86_400) % 86_400;
  // Whole seconds: the local clock is read to the second.
  return now - (now % 1000) + wait * 1000;
}

/** Push options with the quiet-hours release applied, unless the caller already asked for later. */
export function heldOptions<T extends { delayMs?: number; runAt?: number | Date }>(
  options: T,
  release: number | undefined,
  now = Date.now(),
): T {
  if (release === undefined) return options;
  const runAt = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
  const asked = runAt ?? (options.delayMs !== undefined ? now + options.delayMs : now);
  if (asked >= release) return options;
  const { delayMs: _delayMs, ...rest } = options;
  return { ...rest, runAt: release } as T;
}
