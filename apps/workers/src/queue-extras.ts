// Bridge until @notify/queue/notifications re-exports the suppression list and the email event
// aggregates (docs/ENGINE-API.md already lists them there); then import from the public entry.

export { emailEventStats, recordEmailEvent } from "../../../packages/queue/src/notifications/email-event-stats.ts";
export {
  isSuppressed,
  type Suppression,
  type SuppressionReason,
  suppress,
  suppressions,
} from "../../../packages/queue/src/notifications/suppressions.ts";
