// How long the message log keeps messages and how many at most, and how status webhooks are
// delivered: read from the environment once with zod, like every other delivery setting.
import {
  DEFAULT_MESSAGE_LOG_DAYS,
  DEFAULT_MESSAGE_LOG_MAX,
  DEFAULT_PAUSE_AFTER_FAILURES,
  type MessageLogOptions,
} from "@notify/queue/notifications";
import { z } from "zod";
import { type Env, parseEnv } from "./config.ts";

const schema = z.object({
  /** Days a message's record and timeline are kept. */
  MESSAGE_LOG_DAYS: z.coerce.number().int().min(1).max(365).default(DEFAULT_MESSAGE_LOG_DAYS),
  /** Messages kept at most, oldest dropped first: the memory bound (bytes per message in docs/messages.md). */
  MESSAGE_LOG_MAX: z.coerce.number().int().min(100).max(10_000_000).default(DEFAULT_MESSAGE_LOG_MAX),
  /** Failed deliveries in a row after which an endpoint is paused. */
  WEBHOOK_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_PAUSE_AFTER_FAILURES),
  /** How long one webhook POST may take. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export interface MessageSettings {
  log: MessageLogOptions;
  webhookPauseAfter: number;
  webhookTimeoutMs: number;
}

/** Throws ConfigError naming a bad variable. */
export function loadMessageSettings(env: Env): MessageSettings {
  const parsed = parseEnv(schema, env);
  return {
    log: { retentionDays: parsed.MESSAGE_LOG_DAYS, maxMessages: parsed.MESSAGE_LOG_MAX },
    webhookPauseAfter: parsed.WEBHOOK_PAUSE_AFTER_FAILURES,
    webhookTimeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
  };
}
